-- Mails waiting to be sent. A row is written in the same transaction as the change that causes
-- the mail, so a mail exists exactly when its change committed; a sender on every node claims
-- due rows (FOR UPDATE SKIP LOCKED), so two nodes never send one row at the same time.

CREATE TABLE mail_outbox (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text        NOT NULL,
    recipient        text        NOT NULL,
    subject          text        NOT NULL,
    text_body        text        NOT NULL,
    html_body        text        NOT NULL,
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0,
    -- also the lease: a claimed row is pushed into the future, so a node that dies mid-send
    -- leaves it to be picked up again once the lease has run out
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE status = 'pending';
