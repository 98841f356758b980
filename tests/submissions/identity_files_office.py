"""Word, Excel and PowerPoint packages with the identity (tests/submissions/identity.py) in every property,
comment list, tracked change, user name, path and picture Office keeps it in."""

from __future__ import annotations

import io
import struct
import zipfile

from docx import Document
from docx.oxml import parse_xml

from tests.submissions import files
from tests.submissions.identity import EMAIL, INITIALS, NAME, NAME_ACCENTED, SCHOOL, WHO, WHO_XML
from tests.submissions.identity_files_media import gif, jpeg, png

# ----- Office ------------------------------------------------------------------------------------------------

CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    f"<dc:title>{NAME}</dc:title><dc:subject>{SCHOOL}</dc:subject><dc:creator>{WHO_XML}</dc:creator>"
    f"<cp:keywords>{EMAIL}</cp:keywords><dc:description>{WHO_XML}</dc:description>"
    f"<cp:lastModifiedBy>{EMAIL}</cp:lastModifiedBy><cp:category>{SCHOOL}</cp:category>"
    f"<cp:contentStatus>{NAME}</cp:contentStatus><dc:identifier>{EMAIL}</dc:identifier>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2025-03-01T10:00:00Z</dcterms:created>'
    "</cp:coreProperties>"
)
APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    f"<Template>C:\\Users\\dwhitfield\\AppData\\Roaming\\Microsoft\\Templates\\{SCHOOL}.dotm</Template>"
    "<TotalTime>12</TotalTime><Application>Microsoft Office Word</Application>"
    f"<Manager>{NAME_ACCENTED}</Manager><Company>{SCHOOL}</Company>"
    f"<HyperlinkBase>https://oakridge.example.org/~{EMAIL}</HyperlinkBase>"
    '<TitlesOfParts><vt:vector size="1" baseType="lpstr">'
    f"<vt:lpstr>{NAME} plan</vt:lpstr></vt:vector></TitlesOfParts><AppVersion>16.0000</AppVersion></Properties>"
)
CUSTOM = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Teacher">'
    f"<vt:lpwstr>{WHO_XML}</vt:lpwstr></property></Properties>"
)
SHAREPOINT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<p:properties xmlns:p="http://schemas.microsoft.com/office/2006/metadata/properties">'
    "<documentManagement><Owner><UserInfo>"
    f"<DisplayName>{NAME}</DisplayName><AccountId>{EMAIL}</AccountId></UserInfo></Owner>"
    f"<School>{SCHOOL}</School></documentManagement></p:properties>"
)
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = {
    "docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
    "docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    "docProps/custom.xml": "application/vnd.openxmlformats-officedocument.custom-properties+xml",
}


def _printer_settings() -> bytes:
    return (
        f"{NAME} HP LaserJet"[:32].encode("utf-16-le").ljust(64, b"\0")
        + struct.pack("<HH", 0x0401, 0x0401)
        + bytes(148)
    )


def _package(kind: str, main_body: str, parts: dict[str, str | bytes], *, rels: dict[str, str] | None = None) -> bytes:
    """A package as Office writes one: the main part, the properties parts, and `parts` (their content types
    declared by extension or override)."""
    main, main_type, _ = files.OOXML[kind]
    every: dict[str, str | bytes] = {
        main: main_body,
        "docProps/core.xml": CORE,
        "docProps/app.xml": APP,
        "docProps/custom.xml": CUSTOM,
        **parts,
    }
    overrides = {f"/{main}": main_type, **{f"/{name}": value for name, value in _CONTENT_TYPES.items()}}
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="png" ContentType="image/png"/><Default Extension="jpeg" ContentType="image/jpeg"/>'
        '<Default Extension="gif" ContentType="image/gif"/>'
        '<Default Extension="bin" ContentType="application/octet-stream"/>'
        '<Default Extension="xlsx" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"/>'
        + "".join(f'<Override PartName="{name}" ContentType="{value}"/>' for name, value in overrides.items())
        + "</Types>"
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" Target="{main}"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_DOC_RELS}/extended-properties" Target="docProps/app.xml"/>'
        f'<Relationship Id="rId4" Type="{_DOC_RELS}/custom-properties" Target="docProps/custom.xml"/>'
        "</Relationships>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", types)
        package.writestr("_rels/.rels", root_rels)
        for name, body in every.items():
            package.writestr(name, body)
        for name, body in (rels or {}).items():
            package.writestr(name, body)
    return out.getvalue()


def xlsx() -> bytes:
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {ns} '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac">'
        f'<fileSharing userName="{NAME}" readOnlyRecommended="0"/>'
        '<mc:AlternateContent><mc:Choice Requires="x15">'
        f'<x15ac:absPath url="C:\\Users\\dwhitfield\\Documents\\{SCHOOL}\\"/></mc:Choice></mc:AlternateContent>'
        '<sheets><sheet name="Grades" sheetId="1"/></sheets></workbook>'
    )
    comments = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><comments {ns}>'
        f"<authors><author>{NAME_ACCENTED}</author><author>tc={{5A1}}</author></authors>"
        '<commentList><comment ref="A1" authorId="0"><text>'
        f'<r><rPr><b/></rPr><t>{NAME_ACCENTED}:</t></r><r><t xml:space="preserve">\nCheck this grade.</t></r>'
        "</text></comment></commentList></comments>"
    )
    threaded = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
        '<threadedComment ref="A1" dT="2025-03-01T10:00:00" personId="{P1}" id="{5A1}">'
        "<text>Check this grade.</text></threadedComment></ThreadedComments>"
    )
    persons = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
        f'<person displayName="{NAME_ACCENTED}" id="{{P1}}" userId="{EMAIL}" providerId="AD"/></personList>'
    )
    users = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><users {ns} count="1">'
        f'<userInfo guid="{{U1}}" name="{WHO_XML}" id="1" dateTime="2025-03-01T10:00:00"/></users>'
    )
    headers = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><headers {ns} guid="{{H}}">'
        f'<header guid="{{H1}}" dateTime="2025-03-01T10:00:00" maxSheetId="2" userName="{EMAIL}"/></headers>'
    )
    connections = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><connections {ns}>'
        f'<connection id="1" name="Grades" type="1" odcFile="\\\\server\\{NAME}\\grades.odc">'
        f'<dbPr connection="Provider=SQLOLEDB;User ID={EMAIL};Initial Catalog=grades" command="grades"/></connection>'
        f'<connection id="2" name="Roster" type="6"><textPr sourceFile="C:\\Users\\dwhitfield\\{SCHOOL}.csv"/>'
        "</connection></connections>"
    )
    return _package(
        "xlsx",
        workbook,
        {
            "xl/connections.xml": connections,
            "xl/comments1.xml": comments,
            "xl/threadedComments/threadedComment1.xml": threaded,
            "xl/persons/person.xml": persons,
            "xl/revisions/userNames.xml": users,
            "xl/revisions/revisionHeaders.xml": headers,
            "xl/printerSettings/printerSettings1.bin": _printer_settings(),
            "xl/media/image1.png": png(),
        },
    )


def pptx() -> bytes:
    p = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
    authors = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:cmAuthorLst {p}>'
        f'<p:cmAuthor id="0" name="{WHO_XML}" initials="{INITIALS}" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>'
    )
    modern_authors = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<p188:authorLst xmlns:p188="http://schemas.microsoft.com/office/powerpoint/2018/8/main">'
        f'<p188:author id="{{A1}}" name="{NAME_ACCENTED}" initials="{INITIALS}" userId="{EMAIL}" providerId="AD"/>'
        "</p188:authorLst>"
    )
    comment = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:cmLst {p}>'
        '<p:cm authorId="0" dt="2025-03-01T10:00:00" idx="1"><p:pos x="10" y="10"/><p:text>Nice slide</p:text>'
        "</p:cm></p:cmLst>"
    )
    return _package(
        "pptx",
        f"<p:presentation {p}/>",
        {
            "ppt/commentAuthors.xml": authors,
            "ppt/authors.xml": modern_authors,
            "ppt/comments/comment1.xml": comment,
            "ppt/media/image1.gif": gif(),
            "ppt/media/image2.jpeg": jpeg(),
            # A workbook embedded in a slide (a chart's data), with its own properties and comments.
            "ppt/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx(),
        },
    )


def docx() -> bytes:
    document = Document()
    core = document.core_properties
    core.author, core.title, core.subject = WHO, f"Plan by {NAME}", SCHOOL
    core.keywords, core.comments, core.last_modified_by = EMAIL, WHO, EMAIL
    core.category, core.content_status, core.identifier = SCHOOL, NAME, EMAIL
    paragraph = document.add_paragraph("Lesson plan: fractions with pizzas.")
    document.add_comment(paragraph.runs, text="Check the timing.", author=WHO, initials=INITIALS)
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    paragraph._p.append(
        parse_xml(
            f'<w:ins {w} w:id="901" w:author="{NAME_ACCENTED}" w:date="2025-03-01T10:00:00Z">'
            "<w:r><w:t>Added later.</w:t></w:r></w:ins>"
        )
    )
    paragraph._p.append(
        parse_xml(
            f'<w:del {w} w:id="902" w:author="{EMAIL}" w:date="2025-03-01T10:00:00Z">'
            "<w:r><w:delText>Removed.</w:delText></w:r></w:del>"
        )
    )
    formatted = document.add_paragraph().add_run("Bold now.")
    formatted._r.get_or_add_rPr().append(
        parse_xml(
            f'<w:rPrChange {w} w:id="903" w:author="{SCHOOL}" w:date="2025-03-01T10:00:00Z"><w:rPr/></w:rPrChange>'
        )
    )
    document.add_picture(io.BytesIO(jpeg()))
    saved = io.BytesIO()
    document.save(saved)
    return _docx_extras(saved.getvalue())


def _docx_extras(data: bytes) -> bytes:
    """What Word adds that python-docx does not write: app and custom properties, the people who commented,
    document variables, SharePoint properties, an attached template's path, a thumbnail with EXIF."""
    people = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
        f'<w15:person w15:author="{WHO_XML}"><w15:presenceInfo w15:providerId="AD" w15:userId="S::{EMAIL}::1"/>'
        "</w15:person></w15:people>"
    )
    template = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC_RELS}/attachedTemplate" '
        f'Target="file:///C:\\Users\\dwhitfield\\Templates\\{SCHOOL}.dotx" TargetMode="External"/></Relationships>'
    )
    variables = f'<w:docVars><w:docVar w:name="Teacher" w:val="{WHO_XML}"/></w:docVars>'
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for entry in source.infolist():
            body = source.read(entry)
            if entry.filename == "docProps/app.xml":
                body = APP.encode()
            elif entry.filename == "customXml/item1.xml":
                body = SHAREPOINT.encode()
            elif entry.filename == "docProps/thumbnail.jpeg":
                body = jpeg()
            elif entry.filename == "word/settings.xml":
                body = body.replace(b"</w:settings>", variables.encode() + b"</w:settings>")
            elif entry.filename == "[Content_Types].xml":
                extra = "".join(
                    f'<Override PartName="/{name}" ContentType="{value}"/>'
                    for name, value in (
                        ("docProps/custom.xml", _CONTENT_TYPES["docProps/custom.xml"]),
                        (
                            "word/people.xml",
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.people+xml",
                        ),
                    )
                )
                body = body.replace(b"</Types>", extra.encode() + b"</Types>")
            package.writestr(entry, body)
        package.writestr("docProps/custom.xml", CUSTOM)
        package.writestr("word/people.xml", people)
        package.writestr("word/_rels/settings.xml.rels", template)
    return out.getvalue()
