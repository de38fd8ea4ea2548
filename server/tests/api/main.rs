//! Integration tests: the real router on a fresh SQLite file and search index per test.

mod helpers;

mod accounts;
mod knowledge;
mod notices;
mod pages;
mod search;
mod tickets;
