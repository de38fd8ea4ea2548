-- The outbox becomes the queue of e-mail delivery. Each message is one recipient,
-- so one refused address never holds up another. A delivery worker claims due
-- messages (state 'sending' until `claimed_until`, so a claim left by a crash runs
-- out and the message is tried again), then records the outcome: 'sent', or
-- 'retrying' with the next attempt's time, or 'failed' for good.
--
-- `message_key` makes the Message-ID, the same at every attempt, so a rare
-- duplicate after a crash is recognisable; `thread` names what the message is
-- about (a ticket number), so a mail client threads a ticket's messages together.
ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'sending', 'sent', 'retrying', 'failed'));
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN message_key TEXT;
ALTER TABLE outbox ADD COLUMN thread TEXT;

-- Messages written before delivery existed were handed over by hand, if at all:
-- they are never sent months late.
UPDATE outbox
SET state = 'failed',
    last_error = 'Written before e-mail delivery existed; not sent.',
    message_key = lower(hex(randomblob(16)));

CREATE INDEX outbox_due ON outbox (next_attempt_at)
    WHERE state IN ('queued', 'retrying', 'sending');
