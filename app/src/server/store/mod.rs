//! Storage: the SQL of each aggregate, in one module each, and nowhere else.
//!
//! A table is written only by its own module. A read may join another
//! aggregate's tables for names and labels; a lookup whose subject is another
//! aggregate belongs to that aggregate's module. Functions take a connection (or
//! a transaction the caller commits) unless they are one whole change of their
//! own, which they then commit.

pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod calendars;
pub mod catalog;
pub mod db;
pub mod files;
pub mod groups;
pub mod ids;
pub mod inbound;
pub mod knowledge;
pub mod models;
pub mod names;
pub mod notice_mail;
pub mod notices;
pub mod outbox;
pub mod priorities;
pub mod sessions;
pub mod tickets;
