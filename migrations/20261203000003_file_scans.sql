-- Virus scanning of attached files (through a ClamAV daemon, when one is
-- configured). The verdict belongs to the content, so it is kept once per stored
-- file. A file is handed out only when it is 'unscanned' (no scanner is
-- configured) or 'clean'; 'pending' waits for the scanner, 'infected' never
-- leaves. At start the portal moves 'unscanned' to 'pending' when a scanner is
-- configured, and 'pending' to 'unscanned' when none is.

ALTER TABLE stored_files ADD COLUMN scan TEXT NOT NULL DEFAULT 'unscanned'
    CHECK (scan IN ('unscanned', 'pending', 'clean', 'infected'));
-- What the scanner found in an infected file (its signature's name).
ALTER TABLE stored_files ADD COLUMN found TEXT;

CREATE INDEX stored_files_waiting ON stored_files (sha256) WHERE scan = 'pending';
