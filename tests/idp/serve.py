"""Run the test identity provider: `python -m tests.idp.serve '<json>'` with DJANGO_SETTINGS_MODULE=tests.idp.settings.

The JSON names the one registered client (id, secret, redirect URIs) and the one directory user. The process makes
its database, registers both, binds a free port on 127.0.0.1, prints `READY <origin>` and serves until killed."""

from __future__ import annotations

import json
import sys


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    config = json.loads(sys.argv[1])
    call_command("migrate", verbosity=0, interactive=False)
    person = config["user"]
    user = User.objects.create_user(
        username=person["username"],
        password=person["password"],
        email=person["email"],
        first_name=person.get("first_name", ""),
        last_name=person.get("last_name", ""),
    )
    client = config["client"]
    Application.objects.create(
        name="microcred",
        user=user,
        client_id=client["id"],
        client_secret=client["secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(client["redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.daemon_threads = True
    server.set_app(get_wsgi_application())
    print(f"READY http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
