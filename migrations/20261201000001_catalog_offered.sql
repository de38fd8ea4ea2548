-- Services and categories can be withdrawn from the logging form without being
-- deleted: tickets, articles and notices keep pointing at them.
ALTER TABLE services ADD COLUMN offered INTEGER NOT NULL DEFAULT 1 CHECK (offered IN (0, 1));
ALTER TABLE categories ADD COLUMN offered INTEGER NOT NULL DEFAULT 1 CHECK (offered IN (0, 1));
