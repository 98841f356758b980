// Digital Bazaar's Verifiable Credentials stack (@digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite), driven
// with the documents, key and contexts microcred uses, for bench/reference.py: it times issuing and verifying,
// and cross-verifies. Reads one JSON request on stdin, writes one JSON answer on stdout.
//
// The request (bench/reference.py builds it):
//   contexts   {url: document}: microcred's shipped contexts, read from awards/contexts/; nothing is fetched,
//              and a URL not listed here is refused, as microcred's own loader refuses it
//   documents  {url: document}: the issuer's DID document and signed status lists, served as did:web and
//              the status-list URLs would serve them
//   key        {id, controller, publicKeyMultibase, secretKeyMultibase}: the issuer's Ed25519 key
//   bench      {name: {credential, created}}, n: each unsigned credential issued n times (its proof created
//              at `created`, so that the proof options are microcred's), and its signed copy verified n times
//   sign       {name: {credential, created}}: signed once each, for microcred to verify
//   verify     {name: signed credential}: verified once each (microcred's own, for Digital Bazaar to judge)
import {promisify} from 'node:util';
import {performance} from 'node:perf_hooks';
import {gunzip} from 'node:zlib';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const gunzipAsync = promisify(gunzip);

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function loaderFor(request) {
  const served = new Map(Object.entries({...request.contexts, ...request.documents}));
  // A verification method is looked up by its id, fragment included: answer it from its DID document.
  for(const [url, document] of Object.entries(request.documents)) {
    for(const method of document.verificationMethod || []) {
      served.set(method.id, {'@context': document['@context'], ...method});
    }
    served.set(url, document);
  }
  return async url => {
    if(!served.has(url)) {
      throw new Error(`refused to load ${url}: only microcred's shipped contexts and the bench's documents`);
    }
    // A copy: jsonld may annotate what it is given.
    return {contextUrl: null, documentUrl: url, document: structuredClone(served.get(url))};
  };
}

// Bitstring Status List check, as microcred's verifier does it: the list's own proof verified once per signed
// list (microcred keeps verified lists by proofValue too), then the credential's bit read.
function statusCheckerFor(documentLoader) {
  const verifiedLists = new Map();
  return async ({credential}) => {
    const entry = credential.credentialStatus;
    const {document: list} = await documentLoader(entry.statusListCredential);
    let bits = verifiedLists.get(list.proof.proofValue);
    if(bits === undefined) {
      const result = await vc.verifyCredential({
        credential: list,
        suite: new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite}),
        documentLoader
      });
      if(!result.verified) {
        return {verified: false, error: new Error('the status list does not verify')};
      }
      const encoded = list.credentialSubject.encodedList;
      bits = await gunzipAsync(Buffer.from(encoded.replace(/^u/, ''), 'base64url'));
      verifiedLists.set(list.proof.proofValue, bits);
    }
    const index = Number(entry.statusListIndex);
    const revoked = Boolean(bits[index >> 3] & (0x80 >> (index % 8)));
    return revoked ? {verified: false, error: new Error('revoked')} : {verified: true};
  };
}

function describe(result) {
  if(result.verified) {
    return {verified: true, error: ''};
  }
  const errors = [result.error, ...(result.results || []).map(r => r.error)].filter(Boolean);
  const flat = errors.flatMap(e => (e.errors ? [e, ...e.errors] : [e]));
  return {verified: false, error: flat.map(e => e.message || String(e)).join('; ') || 'not verified'};
}

async function main() {
  const request = await readStdin();
  const documentLoader = loaderFor(request);
  const checkStatus = statusCheckerFor(documentLoader);
  const keyPair = await Ed25519Multikey.from(request.key);
  const signer = keyPair.signer();
  const issue = ({credential, created}) => vc.issue({
    credential: structuredClone(credential),
    suite: new DataIntegrityProof({signer, date: created, cryptosuite: eddsaRdfc2022CryptoSuite}),
    documentLoader
  });
  const verify = async credential => describe(await vc.verifyCredential({
    credential,
    suite: new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite}),
    documentLoader,
    checkStatus
  }));

  const answer = {bench: {}, signed: {}, verified: {}, versions: process.versions.node};
  for(const [name, unsigned] of Object.entries(request.sign || {})) {
    try {
      answer.signed[name] = await issue(unsigned);
    } catch(error) {
      answer.signed[name] = {error: error.message};
    }
  }
  for(const [name, signed] of Object.entries(request.verify || {})) {
    try {
      answer.verified[name] = await verify(signed);
    } catch(error) {
      answer.verified[name] = {verified: false, error: error.message};
    }
  }
  const n = request.n || 0;
  for(const [name, unsigned] of Object.entries(request.bench || {})) {
    // One of each first, untimed: the contexts resolved and the code compiled, as microcred's warm-up does.
    const signed = await issue(unsigned);
    const first = await verify(signed);
    if(!first.verified) {
      throw new Error(`Digital Bazaar could not verify its own ${name}: ${first.error}`);
    }
    const issueMs = [];
    const verifyMs = [];
    for(let i = 0; i < n; i++) {
      const started = performance.now();
      await issue(unsigned);
      issueMs.push(performance.now() - started);
    }
    for(let i = 0; i < n; i++) {
      const started = performance.now();
      await verify(signed);
      verifyMs.push(performance.now() - started);
    }
    answer.bench[name] = {issue_ms: issueMs, verify_ms: verifyMs, proofValue: signed.proof.proofValue};
  }
  process.stdout.write(JSON.stringify(answer));
}

main().catch(error => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
