//! Integration tests: the real router on a fresh SQLite file and search index per test.

// The views of the portal are deeply nested types.
#![recursion_limit = "256"]

mod helpers;

mod accounts;
mod attachments;
mod attacks;
mod authoring;
mod config;
mod desk;
mod imap;
mod imap_server;
mod inbound;
mod knowledge;
mod layers;
mod mail;
mod notices;
mod pages;
mod process;
mod scanning;
mod search;
mod security;
mod settings;
mod smtp_sink;
mod tickets;
mod work;
mod xss;
