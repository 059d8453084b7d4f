"""The simulated people: a locust user that browses, writes and uploads like a
delegate, signed in with a session prepared by run.py.

``configure(targets, mode)`` sets what every user does: ``"mix"`` (80 % reads,
15 % posts and replies, 5 % uploads and downloads) or one page name alone (for the
throughput of that page, and ``"static"`` for the ceiling).
"""

import itertools
import random
import uuid
from http.cookiejar import Cookie, DefaultCookiePolicy

from locust import FastHttpUser, constant, task

# name: (weight in the mix, kind)
MIX = {
    "dashboard": 10,
    "group home": 14,
    "thread": 22,
    "document list": 12,
    "meeting": 12,
    "search": 10,
    "reply": 12,
    "new thread": 3,
    "upload": 2,
    "download": 3,
}
READS = ("dashboard", "group home", "thread", "document list", "meeting", "search")
STATIC = "static"

_state = {"targets": None, "mode": "mix", "people": None}


def configure(targets: dict, mode: str) -> None:
    _state["targets"], _state["mode"] = targets, mode
    _state["people"] = itertools.cycle(range(len(targets["people"])))


def _cookie(name: str, value: str, host: str) -> Cookie:
    return Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=host,
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=True,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={"HttpOnly": None},
    )


class BehindTls(DefaultCookiePolicy):
    """Send Secure cookies over http too. Production marks the session cookie
    Secure; here there is no TLS proxy in front, so the client acts as if there
    were."""

    def return_ok_secure(self, cookie, request):
        return True


class Delegate(FastHttpUser):
    # Closed loop, like wrk: each simulated person sends the next request as soon as
    # the last one answered, so 8 users are 8 connections kept busy.
    wait_time = constant(0)

    def on_start(self):
        targets = _state["targets"]
        self.me = targets["people"][next(_state["people"])]
        self.rng = random.Random(self.me["email"])
        self.words = targets["search_words"]
        self.static_path = targets["static_path"]
        host = targets["host"]
        self.client.cookiejar.set_policy(BehindTls())
        self.client.cookiejar.set_cookie(_cookie("session", self.me["cookie"], host))
        self.writer = None
        mode = _state["mode"]
        if mode == "mix":
            names = list(MIX)
            self.choose = lambda: self.rng.choices(names, [MIX[n] for n in names])[0]
        else:
            self.choose = lambda: mode

    # -- what a request is --

    def _get(self, name: str, url: str, expect: int = 200):
        with self.client.get(
            url, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code} for {url}")
            else:
                response.success()

    def _post(self, name: str, url: str, body, content_type: str):
        with self.client.post(
            url,
            name=name,
            data=body,
            headers={"Content-Type": content_type},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location") or ""
            if response.status_code != 302 or "/auth/" in location:
                response.failure(f"{response.status_code} for {url} → {location}")
            else:
                response.success()

    def _form(self, name: str, url: str, fields: dict):
        from urllib.parse import urlencode

        fields = {"csrf_token": self.me["csrf"], **fields}
        self._post(name, url, urlencode(fields), "application/x-www-form-urlencoded")

    def _text(self, lang: str = "en") -> str:
        if self.writer is None:
            from collab.demo.scale import Writer

            self.writer = Writer(random.Random(self.rng.random()))
        return self.writer.post(lang)[0]

    # -- the pages --

    def group(self) -> dict:
        return self.rng.choice(self.me["groups"])

    @task
    def step(self):
        name = self.choose()
        getattr(self, "do_" + name.replace(" ", "_"))(name)

    def do_static(self, name):
        self._get(name, self.static_path)

    def do_dashboard(self, name):
        self._get(name, "/")

    def do_group_home(self, name):
        self._get(name, f"/groups/{self.group()['slug']}/")

    def do_thread(self, name):
        group = self.group()
        thread_id, pages = self.rng.choice(group["threads"])
        # Half the visits open the first page, half the last (where new posts are).
        page = 1 if self.rng.random() < 0.5 else pages
        suffix = f"?page={page}" if page > 1 else ""
        self._get(name, f"/groups/{group['slug']}/threads/{thread_id}{suffix}")

    def do_document_list(self, name):
        self._get(name, f"/groups/{self.group()['slug']}/documents/")

    def do_meeting(self, name):
        group = self.group()
        if not group["meetings"]:
            return self.do_group_home("group home")
        meeting = self.rng.choice(group["meetings"])
        self._get(name, f"/groups/{group['slug']}/meetings/{meeting}")

    def do_search(self, name):
        self._get(name, f"/search?q={self.rng.choice(self.words)}")

    def do_download(self, name):
        group = self.group()
        if not group["documents"]:
            return self.do_document_list("document list")
        document = self.rng.choice(group["documents"])
        self._get(name, f"/groups/{group['slug']}/documents/{document}/download")

    def do_reply(self, name):
        group = self.group()
        thread_id, _pages = self.rng.choice(group["threads"])
        self._form(
            name,
            f"/groups/{group['slug']}/threads/{thread_id}/reply",
            {"body": self._text(), "form_token": uuid.uuid4().hex},
        )

    def do_new_thread(self, name):
        group = self.group()
        body = self._text()
        self._form(
            name,
            f"/groups/{group['slug']}/threads/new",
            {
                "title": body.split(".")[0][:120],
                "body": body,
                "form_token": uuid.uuid4().hex,
            },
        )

    def do_upload(self, name):
        group = self.group()
        boundary = uuid.uuid4().hex
        content = ("# Benchmark note\n\n" + self._text()).encode()
        parts = []
        for key, value in (
            ("csrf_token", self.me["csrf"]),
            ("folder", ""),
            ("tags", ""),
        ):
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"'
                f"\r\n\r\n{value}\r\n".encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="bench-{uuid.uuid4().hex[:8]}.md"\r\n'
            "Content-Type: text/markdown\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        self._post(
            name,
            f"/groups/{group['slug']}/documents/upload",
            b"".join(parts),
            f"multipart/form-data; boundary={boundary}",
        )
