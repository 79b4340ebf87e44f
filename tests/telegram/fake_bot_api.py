"""A small fake Telegram Bot API server on 127.0.0.1 that records every call.

It speaks the HTTP side of the Bot API that python-telegram-bot uses (form-encoded POSTs to
`/bot<token>/<method>`, file downloads from `/file/bot<token>/<path>`), serves queued updates
through long-polling `getUpdates`, and can be told to fail the next calls of a method.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

TOKEN = "123:ABC"
BOT_ID = 4242
BOT_USERNAME = "quote_test_bot"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Quote Bot", "username": BOT_USERNAME}

# Parameters PTB sends JSON-encoded, and ones that are plain integers.
JSON_PARAMS = frozenset(
    {
        *("results", "commands", "reply_parameters", "reply_markup", "link_preview_options"),
        *("allowed_updates", "entities", "button", "scope"),
    }
)
INT_PARAMS = frozenset(
    {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "user_id"}
)

FailureKind = Literal["429", "500", "403", "timeout"]
# The tags Telegram accepts in parse_mode=HTML.
TELEGRAM_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}
    | {"blockquote", "tg-spoiler", "span", "tg-emoji"}
)
MAX_TEXT_UTF16 = 4096


@dataclass
class ApiCall:
    """One request the bot made: the method, its decoded parameters and how it was answered."""

    method: str
    params: dict[str, Any]
    failure: FailureKind | None = None
    result: Any = None
    status: int = 200

    @property
    def ok(self) -> bool:
        return self.failure is None and self.status == 200


@dataclass
class _Failure:
    kind: FailureKind
    retry_after: int = 1
    delay: float = 2.0


@dataclass
class _State:
    token: str
    poll_cap: float
    calls: list[ApiCall] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[_Failure]] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    changed: threading.Condition = field(default_factory=threading.Condition)
    message_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    update_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    consumed_offset: int = 0
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    members: dict[tuple[int, int], str] = field(default_factory=dict)


class FakeBotApi:
    """Start with `with FakeBotApi() as api:`; point the bot at `api.base_url`."""

    def __init__(self, token: str = TOKEN, poll_cap: float = 0.3) -> None:
        self.state = _State(token=token, poll_cap=poll_cap)
        self._server = _BotApiServer(("127.0.0.1", 0), _handler_for(self.state))
        self._server.daemon_threads = True
        # A short poll interval keeps shutdown() (which waits for one poll) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What `TELEGRAM_API_BASE_URL` should be: PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    def __enter__(self) -> FakeBotApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- what tests set up ----------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        with self.state.changed:
            update = {**update, "update_id": next(self.state.update_ids)}
            self.state.updates.append(update)
            self.state.changed.notify_all()
            return int(update["update_id"])

    def add_file(self, file_id: str, content: bytes, file_path: str) -> None:
        """Serve `content` for getFile(file_id) and the download of `file_path`."""
        self.state.files[file_id] = (file_path, content)

    def add_chat(self, chat: dict[str, Any]) -> None:
        """Answer getChat for this chat (by id, and by "@username" when it has one)."""
        self.state.chats[int(chat["id"])] = chat

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember says of the user in the chat ("member" when never set)."""
        self.state.members[(chat_id, user_id)] = status

    def fail_next(
        self,
        method: str,
        kind: FailureKind,
        times: int = 1,
        retry_after: int = 1,
        delay: float = 2.0,
    ) -> None:
        """Make the next `times` calls of `method` fail; "timeout" answers after `delay` s."""
        with self.state.changed:
            queue = self.state.failures.setdefault(method, [])
            queue.extend(_Failure(kind, retry_after, delay) for _ in range(times))

    # -- what tests assert on -------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        with self.state.changed:
            return list(self.state.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        """Every call of one method, oldest first."""
        return [call for call in self.calls if call.method == method]

    def sent_texts(self) -> list[str]:
        """The text of every sendMessage that succeeded."""
        return [c.params["text"] for c in self.calls_to("sendMessage") if c.ok]

    def refused(self) -> list[ApiCall]:
        """Calls the server answered with an error it did not inject (bad requests)."""
        return [c for c in self.calls if c.failure is None and c.status != 200]

    def wait_for(
        self, predicate: Callable[[list[ApiCall]], bool], timeout: float = 10.0
    ) -> list[ApiCall]:
        """Block until the recorded calls satisfy `predicate`; AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        with self.state.changed:
            while not predicate(list(self.state.calls)):
                left = deadline - time.monotonic()
                if left <= 0:
                    methods = [c.method for c in self.state.calls]
                    raise AssertionError(f"timed out waiting; calls so far: {methods}")
                self.state.changed.wait(left)
            return list(self.state.calls)

    def wait_consumed(self, timeout: float = 10.0) -> None:
        """Block until the bot has confirmed (via a later offset) every queued update."""
        deadline = time.monotonic() + timeout
        with self.state.changed:
            while self.state.updates:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.state.updates)} updates never consumed")
                self.state.changed.wait(left)


class _BotApiServer(ThreadingHTTPServer):
    """The real Bot API accepts many connections at once; the default backlog of 5 drops
    connections when the bot sends dozens of replies concurrently (httpx.ReadError)."""

    request_queue_size = 256
    daemon_threads = True


def _handler_for(state: _State) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to one server's state."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; with Nagle on, each response
        # waits ~40 ms for a delayed ACK, which is not the bot's latency.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

        def do_GET(self) -> None:
            # PTB percent-encodes download paths ("123%3AABC"), as browsers would.
            path = unquote(urlsplit(self.path).path)
            file_prefix = f"/file/bot{state.token}/"
            if path.startswith(file_prefix):
                self._download(path.removeprefix(file_prefix))
            else:
                self._api(path, dict(parse_qsl(urlsplit(self.path).query)))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8") if length else ""
            params = dict(parse_qsl(urlsplit(self.path).query))
            if "json" in (self.headers.get("Content-Type") or ""):
                params.update(json.loads(body or "{}"))
            else:
                params.update(parse_qsl(body, keep_blank_values=True))
            self._api(unquote(urlsplit(self.path).path), params)

        def _api(self, path: str, raw: dict[str, Any]) -> None:
            prefix = f"/bot{state.token}/"
            if not path.startswith(prefix):
                self._reply(HTTPStatus.UNAUTHORIZED, _error(401, "Unauthorized"))
                return
            method = path.removeprefix(prefix)
            call = ApiCall(method, _decode(raw))
            with state.changed:
                queue = state.failures.get(method)
                failure = queue.pop(0) if queue else None
            if failure is not None:
                self._fail(call, failure)
                return
            status, result = _answer(state, call)
            call.result, call.status = result, int(status)
            self._record(call)
            if status == HTTPStatus.OK:
                self._reply(status, {"ok": True, "result": result})
            else:
                self._reply(status, _error(int(status), str(result)))

        def _fail(self, call: ApiCall, failure: _Failure) -> None:
            call.failure = failure.kind
            call.status = 200 if failure.kind == "timeout" else int(failure.kind)
            self._record(call)
            if failure.kind == "429":
                body = _error(429, f"Too Many Requests: retry after {failure.retry_after}")
                body["parameters"] = {"retry_after": failure.retry_after}
                self._reply(HTTPStatus.TOO_MANY_REQUESTS, body)
            elif failure.kind == "500":
                self._reply(HTTPStatus.INTERNAL_SERVER_ERROR, _error(500, "Internal Server Error"))
            elif failure.kind == "403":
                body = _error(403, "Forbidden: bot was blocked by the user")
                self._reply(HTTPStatus.FORBIDDEN, body)
            else:
                time.sleep(failure.delay)  # past the client's read timeout
                self._reply(HTTPStatus.OK, {"ok": True, "result": True})

        def _record(self, call: ApiCall) -> None:
            with state.changed:
                state.calls.append(call)
                state.changed.notify_all()

        def _download(self, file_path: str) -> None:
            for stored_path, content in state.files.values():
                if stored_path == file_path:
                    self._send(HTTPStatus.OK, content, "application/octet-stream")
                    return
            self._reply(HTTPStatus.NOT_FOUND, _error(404, "Not Found"))

        def _reply(self, status: HTTPStatus, body: dict[str, Any]) -> None:
            self._send(status, json.dumps(body).encode(), "application/json")

        def _send(self, status: HTTPStatus, payload: bytes, content_type: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout), which is what some tests want

    return Handler


def _decode(raw: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and key in JSON_PARAMS:
            value = json.loads(value)
        elif isinstance(value, str) and key in INT_PARAMS:
            with contextlib.suppress(ValueError):  # "@channel" chat ids stay strings
                value = int(value)
        params[key] = value
    return params


def _error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


def _message(state: _State, params: dict[str, Any], message_id: int | None = None) -> dict:
    chat_id = params.get("chat_id", 0)
    chat_type = "private" if isinstance(chat_id, int) and chat_id > 0 else "supergroup"
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type != "private":
        chat["title"] = "Test group"
    return {
        "message_id": message_id or next(state.message_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": BOT_USER,
        "text": params.get("text", ""),
    }


def _answer(state: _State, call: ApiCall) -> tuple[HTTPStatus, Any]:
    params = call.params
    if call.method == "getMe":
        return HTTPStatus.OK, {**BOT_USER, "can_join_groups": True, "supports_inline_queries": True}
    if call.method == "getUpdates":
        return HTTPStatus.OK, _get_updates(state, params)
    if call.method in {"sendMessage", "editMessageText"}:
        problem = check_message_text(params)
        if problem is not None:
            return HTTPStatus.BAD_REQUEST, f"Bad Request: {problem}"
    if call.method == "sendMessage":
        return HTTPStatus.OK, _message(state, params)
    if call.method == "editMessageText":
        return HTTPStatus.OK, _message(state, params, message_id=params.get("message_id"))
    if call.method in {
        "setMyCommands",
        "deleteWebhook",
        "setWebhook",
        "answerInlineQuery",
        "answerCallbackQuery",
        "sendChatAction",
        "close",
    }:
        return HTTPStatus.OK, True
    if call.method == "getChat":
        chat = _find_chat(state, params.get("chat_id"))
        if chat is None:
            return HTTPStatus.BAD_REQUEST, "Bad Request: chat not found"
        # getChat answers with a ChatFullInfo, which has a few more required fields.
        return HTTPStatus.OK, {"accent_color_id": 0, "max_reaction_count": 11, **chat}
    if call.method == "getChatMember":
        chat = _find_chat(state, params.get("chat_id"))
        chat_id = int(chat["id"]) if chat is not None else params.get("chat_id")
        if not isinstance(chat_id, int):
            return HTTPStatus.BAD_REQUEST, "Bad Request: chat not found"
        user_id = int(params.get("user_id", 0))
        status = state.members.get((chat_id, user_id), "member")
        return HTTPStatus.OK, _chat_member(user_id, status)
    if call.method == "getFile":
        stored = state.files.get(str(params.get("file_id")))
        if stored is None:
            return HTTPStatus.BAD_REQUEST, "Bad Request: invalid file_id"
        path, content = stored
        file = {"file_id": params["file_id"], "file_unique_id": f"u{params['file_id']}"}
        return HTTPStatus.OK, {**file, "file_size": len(content), "file_path": path}
    return HTTPStatus.NOT_FOUND, "Not Found: method not found"


def _find_chat(state: _State, chat_id: object) -> dict[str, Any] | None:
    if isinstance(chat_id, str) and chat_id.startswith("@"):
        name = chat_id[1:].lower()
        return next(
            (c for c in state.chats.values() if str(c.get("username", "")).lower() == name), None
        )
    try:
        return state.chats.get(int(str(chat_id)))
    except ValueError:
        return None


ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)


def _chat_member(user_id: int, status: str) -> dict[str, Any]:
    """A ChatMember object as the Bot API sends it for the given status."""
    user = BOT_USER if user_id == BOT_ID else {"id": user_id, "is_bot": False, "first_name": "U"}
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "administrator":
        member.update(dict.fromkeys(ADMIN_RIGHTS, False))
        member["can_post_messages"] = True
    elif status == "creator":
        member["is_anonymous"] = False
    return member


def _get_updates(state: _State, params: dict[str, Any]) -> list[dict[str, Any]]:
    offset = int(params.get("offset") or 0)
    limit = int(params.get("limit") or 100)
    wait = min(float(params.get("timeout") or 0), state.poll_cap)
    deadline = time.monotonic() + wait
    with state.changed:
        # An offset confirms every earlier update, as with the real Bot API.
        state.updates = [u for u in state.updates if u["update_id"] >= offset]
        state.changed.notify_all()
        while not state.updates and time.monotonic() < deadline:
            state.changed.wait(deadline - time.monotonic())
        return list(state.updates[:limit])


class _EntityParser(HTMLParser):
    """Parses Telegram HTML the strict way Telegram does: known tags, balanced, escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.problem = self.problem or f"can't parse entities: unsupported start tag {tag!r}"
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.problem = self.problem or f"can't parse entities: unmatched end tag {tag!r}"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_message_text(params: dict[str, Any]) -> str | None:
    """What Telegram would refuse about a message text, or None when it is fine."""
    text = str(params.get("text", ""))
    if params.get("parse_mode") == "HTML":
        parser = _EntityParser()
        parser.feed(text)
        parser.close()
        if parser.problem or parser.open:
            return parser.problem or f"can't parse entities: unclosed {parser.open}"
        text = "".join(parser.text)
    if not text.strip():
        return "message text is empty"
    if len(text.encode("utf-16-le")) // 2 > MAX_TEXT_UTF16:
        return "message is too long"
    return None
