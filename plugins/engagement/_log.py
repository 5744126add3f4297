"""Schema and the SQL the logger writes through the batched writer (metadata only by default)."""

from __future__ import annotations

from bot.storage import Migration

MIGRATIONS = [
    Migration(
        1,
        """
        CREATE TABLE eng_messages (
            guild_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            channel_id INTEGER NOT NULL,      -- top-level channel (a thread's parent)
            thread_id INTEGER,                -- thread or forum post the message is in
            author_id INTEGER NOT NULL,
            ts REAL NOT NULL,                 -- UTC epoch seconds
            reply_to_message INTEGER,
            reply_to_author INTEGER,
            mentions INTEGER NOT NULL DEFAULT 0,
            has_link INTEGER NOT NULL DEFAULT 0,
            is_question INTEGER NOT NULL DEFAULT 0,
            length_bucket INTEGER NOT NULL DEFAULT 0,
            got_reply INTEGER NOT NULL DEFAULT 0,  -- someone else replied within the conversation window
            edited INTEGER NOT NULL DEFAULT 0,
            deleted INTEGER NOT NULL DEFAULT 0,
            content TEXT,                     -- only when keep_content is on
            UNIQUE (guild_id, message_id)
        );
        CREATE INDEX eng_messages_by_time ON eng_messages (guild_id, ts);
        CREATE TABLE eng_events (
            guild_id INTEGER NOT NULL,
            kind TEXT NOT NULL,               -- reaction, unreaction, edit, delete, join, leave
            ts REAL NOT NULL,
            user_id INTEGER,
            channel_id INTEGER,
            message_id INTEGER,
            other_user_id INTEGER,            -- e.g. the author of the reacted-to message
            detail TEXT
        );
        CREATE INDEX eng_events_by_time ON eng_events (guild_id, ts);
        CREATE TABLE eng_members (
            guild_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            joined_at REAL NOT NULL,
            join_day INTEGER NOT NULL,        -- date ordinal in the community timezone
            left_at REAL
        );
        CREATE INDEX eng_members_by_day ON eng_members (guild_id, join_day);
        CREATE TABLE eng_questions (
            guild_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            channel_id INTEGER NOT NULL,      -- where it was posted (thread id inside threads)
            root_channel_id INTEGER NOT NULL,
            author_id INTEGER NOT NULL,
            asked_at REAL NOT NULL,
            nudge_due REAL,                   -- NULL when the channel is not monitored
            own_thread INTEGER NOT NULL DEFAULT 0,  -- asked in a thread/forum post the asker opened
            answered_at REAL,
            answerer_id INTEGER,
            nudged_at REAL,
            deleted INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (guild_id, message_id)
        ) WITHOUT ROWID;
        CREATE INDEX eng_questions_by_time ON eng_questions (guild_id, asked_at, answered_at);
        CREATE TABLE eng_daily_channel (
            guild_id INTEGER NOT NULL,
            day INTEGER NOT NULL,
            channel_id INTEGER NOT NULL,
            messages INTEGER NOT NULL,
            questions INTEGER NOT NULL,
            conversational INTEGER NOT NULL,
            replies INTEGER NOT NULL,
            links INTEGER NOT NULL,
            PRIMARY KEY (guild_id, day, channel_id)
        ) WITHOUT ROWID;
        CREATE TABLE eng_daily_member (
            guild_id INTEGER NOT NULL,
            day INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            messages INTEGER NOT NULL,
            PRIMARY KEY (guild_id, day, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX eng_daily_member_by_user ON eng_daily_member (guild_id, user_id, day);
        CREATE TABLE eng_state (
            guild_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (guild_id, key)
        ) WITHOUT ROWID;
        """,
        "engagement log, questions and daily rollups",
    ),
    Migration(2, "CREATE INDEX IF NOT EXISTS eng_members_by_left ON eng_members (guild_id, left_at);",
              "leaves by time, for the report's 'left'"),
]

INSERT_MESSAGE = (
    "INSERT OR IGNORE INTO eng_messages (guild_id, message_id, channel_id, thread_id, author_id, ts, "
    "reply_to_message, reply_to_author, mentions, has_link, is_question, length_bucket, content) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
INSERT_EVENT = (
    "INSERT INTO eng_events (guild_id, kind, ts, user_id, channel_id, message_id, other_user_id, detail) "
    "VALUES (?,?,?,?,?,?,?,?)"
)
INSERT_QUESTION = (
    "INSERT OR IGNORE INTO eng_questions (guild_id, message_id, channel_id, root_channel_id, author_id, "
    "asked_at, nudge_due, own_thread) VALUES (?,?,?,?,?,?,?,?)"
)
ANSWER_QUESTION = (
    "UPDATE eng_questions SET answered_at = ?, answerer_id = ? "
    "WHERE guild_id = ? AND message_id = ? AND answered_at IS NULL"
)
NUDGED_QUESTION = "UPDATE eng_questions SET nudged_at = ? WHERE guild_id = ? AND message_id = ?"
# Set when a reply arrives; `ts >= reply time - window` keeps it to replies within the window.
MARK_GOT_REPLY = (
    "UPDATE eng_messages SET got_reply = 1 WHERE guild_id = ? AND message_id = ? AND author_id <> ? AND ts >= ?"
)
MARK_EDITED = "UPDATE eng_messages SET edited = 1 WHERE guild_id = ? AND message_id = ?"
MARK_QUESTION = "UPDATE eng_messages SET is_question = 1 WHERE guild_id = ? AND message_id = ?"
MARK_EDITED_CONTENT = "UPDATE eng_messages SET edited = 1, content = ? WHERE guild_id = ? AND message_id = ?"
MARK_DELETED = "UPDATE eng_messages SET deleted = 1, content = NULL WHERE guild_id = ? AND message_id = ?"
MARK_QUESTION_DELETED = "UPDATE eng_questions SET deleted = 1 WHERE guild_id = ? AND message_id = ?"
INSERT_JOIN = "INSERT INTO eng_members (guild_id, user_id, joined_at, join_day) VALUES (?,?,?,?)"
MARK_LEFT = "UPDATE eng_members SET left_at = ? WHERE guild_id = ? AND user_id = ? AND left_at IS NULL"


def length_bucket(n: int) -> int:
    """0: under 20 characters, 1: under 80, 2: under 300, 3: longer."""
    return 0 if n < 20 else 1 if n < 80 else 2 if n < 300 else 3


class LogBuffer:
    """Rows grouped by statement, handed to the batched writer in blocks.

    The writer runs one `executemany` per run of consecutive rows sharing a statement, so
    interleaving (message, reply flag, question, ...) row by row would cost one database
    round trip per row. Blocks are pushed when `limit` messages are buffered, at the start of
    every flush of the writer (registered with `add_source`), and on tick, report and forget; the order (messages, questions, answers, reply flags,
    then everything else in arrival order) keeps each update after the row it changes.
    """

    __slots__ = ("writer", "limit", "messages", "questions", "answers", "got_reply", "other")

    def __init__(self, writer, limit: int = 256) -> None:
        self.writer = writer
        self.limit = limit
        self.messages: list[tuple] = []
        self.questions: list[tuple] = []
        self.answers: list[tuple] = []
        self.got_reply: list[tuple] = []
        self.other: list[tuple[str, tuple]] = []

    def add(self, sql: str, params: tuple) -> None:
        """Queue a rare row (edit, delete, reaction, join, leave, nudge) in arrival order."""
        self.other.append((sql, params))
        if len(self.other) >= self.limit:
            self.push()

    def push(self) -> None:
        """Hand everything buffered to the batched writer."""
        add_many = self.writer.add_many
        for sql, rows in ((INSERT_MESSAGE, self.messages), (INSERT_QUESTION, self.questions),
                          (ANSWER_QUESTION, self.answers), (MARK_GOT_REPLY, self.got_reply)):
            if rows:
                add_many(sql, rows)
                rows.clear()
        add = self.writer.add
        for sql, row in self.other:
            add(sql, row)
        self.other.clear()
