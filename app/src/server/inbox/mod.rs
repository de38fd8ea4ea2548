//! Mail into the desk: the desk's mailbox read over IMAP (`imap`), each message
//! landed where it belongs (`land`: a reply on its ticket, a new ticket, a
//! bounce, a refusal, or kept for an admin) with its files taken in as uploads
//! are (`files`), and the original of each, whole, for the desk (`original`).
//! `server ingest-mail` lands a message piped in by a mail server.

pub mod files;
pub mod imap;
pub mod land;
pub mod original;
