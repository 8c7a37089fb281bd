"""Model hubs on 127.0.0.1, serving files the way the real ones do, for the hub tests.

`HuggingFaceHub` answers huggingface_hub's calls (HF_ENDPOINT): repo creation, the
pre-upload and commit of regular (non-LFS) files, the revision info of
`snapshot_download` and `resolve/` downloads with the X-Repo-Commit and ETag headers.
`KaggleHub` answers kagglesdk's POST /api/v1/<service>/<method> calls (what kagglehub
sends with KAGGLE_API_ENVIRONMENT=LOCALHOST or TEST): models, instances, versions,
resumable blob uploads (PUT) and file downloads. Files live in memory; `files` is
open to the tests, which alter it to play a tampered hub.
"""

import base64
import hashlib
import http.server
import json
import threading
import urllib.parse


def git_oid(content):
    """The hub's id of a regular file: git's blob hash."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


class Hub(http.server.ThreadingHTTPServer):
    """A threaded HTTP server on 127.0.0.1 that stops when the `with` block ends."""

    daemon_threads = True

    def __init__(self, handler, port=0):
        super().__init__(("127.0.0.1", port), handler)
        self.files = {}  # (repository, revision) -> {path: bytes}
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def answer(self, status, payload=b"", headers=None, content_type="application/json"):
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


class HuggingFaceHandler(Handler):
    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/api/validate-yaml":  # the model card's metadata block
            return self.answer(200, {"errors": [], "warnings": []})
        if path == "/api/repos/create":
            request = json.loads(self.body())
            repo = (
                f"{request['organization']}/{request['name']}"
                if request.get("organization")
                else request["name"]
            )
            self.server.files.setdefault((repo, "main"), {})
            return self.answer(200, {"url": f"{self.server.endpoint}/{repo}", "name": repo})
        parts = path.split("/")  # /api/models/OWNER/NAME/(preupload|commit)/REVISION
        repo, action, revision = "/".join(parts[3:5]), parts[5], parts[6]
        if action == "preupload":
            files = json.loads(self.body())["files"]
            modes = [
                {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files
            ]
            return self.answer(200, {"files": modes, "commitOid": "0" * 40})
        if action == "commit":
            stored = dict(self.server.files.get((repo, revision), {}))
            for line in self.body().decode().splitlines():
                item = json.loads(line)
                if item["key"] == "file":
                    stored[item["value"]["path"]] = base64.b64decode(item["value"]["content"])
            commit = hashlib.sha1(
                json.dumps(sorted(stored)).encode() + repr(len(self.server.files)).encode()
            ).hexdigest()
            self.server.files[(repo, revision)] = stored
            self.server.files[(repo, commit)] = dict(stored)
            self.server.commits = {**getattr(self.server, "commits", {}), repo: commit}
            url = f"{self.server.endpoint}/{repo}/commit/{commit}"
            return self.answer(200, {"commitUrl": url, "commitOid": commit})
        self.answer(404, {"error": f"no route {path}"})

    def revision(self, repo, revision):
        commits = getattr(self.server, "commits", {})
        commit = commits.get(repo) if revision == "main" else revision
        return commit, self.server.files.get((repo, commit))

    def do_GET(self):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "models"]:  # /api/models/OWNER/NAME/(revision|tree)/REVISION
            repo, revision = "/".join(parts[2:4]), parts[5] if len(parts) > 5 else "main"
            commit, files = self.revision(repo, revision)
            if files is None:
                return self.answer(
                    404, {"error": "Repository not found"}, {"X-Error-Code": "RepositoryNotFound"}
                )
            if parts[4] == "tree":
                tree = [
                    {"type": "file", "path": name, "size": len(data), "oid": git_oid(data)}
                    for name, data in sorted(files.items())
                ]
                return self.answer(200, tree)
            siblings = [{"rfilename": name} for name in sorted(files)]
            return self.answer(200, {"id": repo, "sha": commit, "siblings": siblings})
        if len(parts) > 4 and parts[2] == "resolve":  # /OWNER/NAME/resolve/REVISION/FILE
            repo, revision, name = "/".join(parts[:2]), parts[3], "/".join(parts[4:])
            commit, files = self.revision(repo, revision)
            if not files or name not in files:
                return self.answer(
                    404, {"error": "Entry not found"}, {"X-Error-Code": "EntryNotFound"}
                )
            content = files[name]
            headers = {"X-Repo-Commit": commit, "ETag": f'"{git_oid(content)}"'}
            return self.answer(200, content, headers, "application/octet-stream")
        self.answer(404, {"error": f"no route {path}"})

    do_HEAD = do_GET


class HuggingFaceHub(Hub):
    def __init__(self):
        super().__init__(HuggingFaceHandler)

    def stored(self):
        """Every stored file set: each revision of each repository ({path: bytes})."""
        return list(self.files.values())


class KaggleHandler(Handler):
    def do_PUT(self):  # a blob upload: /upload/TOKEN, one request (Content-Range all of it)
        token = self.path.rsplit("/", 1)[-1]
        self.server.blobs[token] = (self.server.blobs[token][0], self.body())
        self.answer(200, {})

    def do_POST(self):
        method = self.path.rstrip("/").rsplit("/", 1)[-1]
        request = json.loads(self.body() or b"{}")
        models, instances = self.server.models, self.server.instances
        if method == "GetModel":
            if (request["ownerSlug"], request["modelSlug"]) not in models:
                return self.answer(404, {"code": 404, "message": "Model not found"})
            return self.answer(200, {"id": 1, "slug": request["modelSlug"]})
        if method == "CreateModel":
            models.add((request["ownerSlug"], request["slug"]))
            return self.answer(200, {"id": 1, "url": "/models"})
        if method == "StartBlobUpload":
            token = f"blob{len(self.server.blobs)}"
            self.server.blobs[token] = (request["name"], b"")
            url = f"{self.server.endpoint}/upload/{token}"
            return self.answer(200, {"token": token, "createUrl": url})
        if method in ("CreateModelInstance", "CreateModelInstanceVersion"):
            slug = (
                request["body"]["instanceSlug"]
                if method == "CreateModelInstance"
                else (request["instanceSlug"])
            )
            key = (request["ownerSlug"], request["modelSlug"], slug)
            if method == "CreateModelInstance" and key in instances:
                return self.answer(200, {"error": "instance exists", "errorCode": 409})
            versions = instances.setdefault(key, [])
            body = request["body"]
            versions.append(dict(self.server.blobs[f["token"]] for f in body.get("files", [])))
            return self.answer(200, {"id": len(versions), "url": "/models"})
        key = (request.get("ownerSlug"), request.get("modelSlug"), request.get("instanceSlug"))
        if key not in instances:
            return self.answer(404, {"code": 404, "message": "Model instance not found"})
        versions = instances[key]
        if method == "GetModelInstance":
            return self.answer(200, {"id": 1, "versionNumber": len(versions)})
        files = versions[int(request.get("versionNumber", len(versions))) - 1]
        if method == "ListModelInstanceVersionFiles":
            listed = [{"name": name, "size": len(data)} for name, data in sorted(files.items())]
            return self.answer(200, {"files": listed, "nextPageToken": ""})
        if method == "DownloadModelInstanceVersion":
            if request.get("path") not in files:
                return self.answer(404, {"code": 404, "message": "File not found"})
            return self.answer(200, files[request["path"]], content_type="application/octet-stream")
        self.answer(404, {"code": 404, "message": f"no method {method}"})


class KaggleHub(Hub):
    """Kaggle's API, on port 80 (KAGGLE_API_ENVIRONMENT=LOCALHOST) where it is free."""

    def __init__(self, port=80):
        super().__init__(KaggleHandler, port)
        self.models, self.instances, self.blobs = set(), {}, {}

    def stored(self):
        """Every stored file set: each version of each model instance ({path: bytes})."""
        return [files for versions in self.instances.values() for files in versions]
