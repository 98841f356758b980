"""A small JSON client for the API tests: a real Django test client with a session or a token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from accounts.models import User
from api.services import token_create

BASE = "/api/v1/submissions"


class ApiClient:
    def __init__(self, client: Client, **headers: str) -> None:
        self.client = client
        self.headers = headers

    def _send(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        kwargs: dict[str, Any] = {**self.headers, **extra}
        if body is not None and "content_type" not in kwargs:
            kwargs["data"] = body if isinstance(body, (bytes, str)) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        elif body is not None:
            kwargs["data"] = body
        if not path.startswith("/"):
            path = f"{BASE}{path}" if path == "" or path.startswith("?") else f"{BASE}/{path}"
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path: str, **extra: Any) -> Any:
        return self._send("get", path, **extra)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self._send("post", path, body, **extra)

    def patch(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self._send("patch", path, body, **extra)

    def delete(self, path: str, **extra: Any) -> Any:
        return self._send("delete", path, **extra)

    def upload(self, submission_id: int, field: str, name: str, content: bytes) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        extra: dict[str, Any] = dict(self.headers)
        return self.client.post(
            f"{BASE}/{submission_id}/evidence?field={field}",
            {"file": SimpleUploadedFile(name, content), "student_data": "false"},
            **extra,
        )


def as_session(user: User | None) -> ApiClient:
    client = Client()
    if user is not None:
        client.force_login(user)
    return ApiClient(client)


def as_token(user: User) -> ApiClient:
    _, secret = token_create(user=user, name="tests", scope="write")
    return ApiClient(Client(), HTTP_AUTHORIZATION=f"Bearer {secret}")
