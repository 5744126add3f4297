"""The fake gateway: API v10 JSON over a websocket, zlib-stream compressed, with resumable sessions."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

log = logging.getLogger("fakediscord.gateway")

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HELLO, ACK = (
    0, 1, 2, 6, 7, 8, 9, 10, 11)
REPLAY_BUFFER = 20_000


@dataclass
class Session:
    """A gateway session: its sequence counter and the events it may have to replay."""

    id: str
    seq: int = 0
    buffer: deque[tuple[int, str, Any]] = field(default_factory=lambda: deque(maxlen=REPLAY_BUFFER))
    conn: Connection | None = None
    ended: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Connection:
    """One websocket; frames are compressed with a single shared zlib stream."""

    def __init__(self, ws: web.WebSocketResponse, compress: str | None) -> None:
        self.ws = ws
        self._z = zlib.compressobj() if compress == "zlib-stream" else None
        self.send_lock = asyncio.Lock()
        self.closed = False

    async def send(self, payload: dict[str, Any]) -> bool:
        """Send one gateway payload; False when the socket is gone."""
        data = json.dumps(payload, separators=(",", ":"))
        async with self.send_lock:
            if self.closed or self.ws.closed:
                return False
            try:
                if self._z is not None:
                    await self.ws.send_bytes(self._z.compress(data.encode()) + self._z.flush(zlib.Z_SYNC_FLUSH))
                else:
                    await self.ws.send_str(data)
            except (ConnectionError, RuntimeError):
                self.closed = True
                return False
        return True


class Gateway:
    """Accepts discord.py connections; `dispatch` sends (and buffers) events to live sessions."""

    def __init__(self, ready_payload: Callable[[str], dict[str, Any]],
                 guild_payloads: Callable[[], list[dict[str, Any]]],
                 members_chunk: Callable[[int], dict[str, Any]]) -> None:
        self._ready = ready_payload
        self._guilds = guild_payloads
        self._members_chunk = members_chunk
        self.sessions: dict[str, Session] = {}
        self.heartbeat_interval_ms = 41_250
        self.ack_heartbeats = True
        self.replay_overlap = 0  # extra already-delivered events replayed on RESUME (duplicate test)
        self.ops_received: list[int] = []
        self.identifies = 0
        self.resumes = 0
        self.replayed = 0
        self.resume_gate = asyncio.Event()  # clear it to hold RESUMEs (events pile up for replay)
        self.resume_gate.set()
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()

    # -- server side --

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws, request.query.get("compress"))
        session: Session | None = None
        await conn.send({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                op = payload.get("op")
                self.ops_received.append(op)
                if op == HEARTBEAT:
                    if self.ack_heartbeats:
                        await conn.send({"op": ACK, "d": None, "s": None, "t": None})
                elif op == IDENTIFY:
                    session = await self._identify(conn)
                elif op == RESUME:
                    session = await self._resume(conn, payload["d"])
                elif op == REQUEST_MEMBERS and session is not None:
                    data = self._members_chunk(int(payload["d"]["guild_id"]))
                    data["nonce"] = payload["d"].get("nonce")
                    await self.send_event(session, "GUILD_MEMBERS_CHUNK", data)
        finally:
            conn.closed = True
            if session is not None and session.conn is conn:
                session.conn = None
                if ws.close_code == 1000:  # the client logged out: the session cannot be resumed
                    session.ended = True
        return ws

    async def _identify(self, conn: Connection) -> Session:
        self.identifies += 1
        session = Session(secrets.token_hex(16))
        self.sessions[session.id] = session
        async with session.lock:  # nothing may overtake READY and the GUILD_CREATEs
            session.conn = conn
            await self._emit(session, "READY", self._ready(session.id))
            for guild in self._guilds():
                await self._emit(session, "GUILD_CREATE", guild)
        self.ready.set()
        return session

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> Session | None:
        session = self.sessions.get(data.get("session_id", ""))
        if session is None or session.ended:
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return None
        self.resumes += 1
        await self.resume_gate.wait()
        async with session.lock:
            last = int(data.get("seq") or 0) - self.replay_overlap
            for seq, name, payload in list(session.buffer):
                if seq > last:
                    self.replayed += 1
                    await conn.send({"op": DISPATCH, "s": seq, "t": name, "d": payload})
            session.conn = conn
            session.seq += 1
            await conn.send({"op": DISPATCH, "s": session.seq, "t": "RESUMED", "d": {}})
        self.resumed.set()
        return session

    # -- driving the client --

    def live_sessions(self) -> list[Session]:
        """Sessions that are connected or may still resume."""
        return [s for s in self.sessions.values() if not s.ended]

    async def send_event(self, session: Session, name: str, data: Any) -> None:
        """Buffer an event under the next sequence number and send it if the session is connected."""
        async with session.lock:
            await self._emit(session, name, data)

    async def _emit(self, session: Session, name: str, data: Any) -> None:
        session.seq += 1
        session.buffer.append((session.seq, name, data))
        if session.conn is not None:
            await session.conn.send({"op": DISPATCH, "s": session.seq, "t": name, "d": data})

    async def dispatch(self, name: str, data: Any) -> None:
        """Send an event to every live session (a disconnected one gets it on RESUME)."""
        for session in self.live_sessions():
            await self.send_event(session, name, data)

    async def send_op(self, op: int, d: Any = None) -> None:
        """Send a non-dispatch opcode (RECONNECT, INVALID_SESSION, HEARTBEAT) to connected sessions."""
        for session in self.live_sessions():
            if session.conn is not None:
                await session.conn.send({"op": op, "d": d, "s": None, "t": None})

    async def drop_connections(self) -> None:
        """Close every socket abruptly (code 1011), as a network failure would."""
        for session in self.live_sessions():
            conn, session.conn = session.conn, None
            if conn is not None:
                conn.closed = True
                await conn.ws.close(code=1011)

    def end_all(self) -> None:
        """Forget every session (used on shutdown)."""
        for session in self.sessions.values():
            session.ended = True
