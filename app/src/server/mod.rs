//! Everything that only runs on the server, compiled only with the `ssr` feature.
//!
//! Layers, each using only those below it (`server/tests/api/layers.rs` checks):
//! the domain (`crate::domain`, no I/O); the event hub (`hub`) and pure helpers
//! (`secrets`, `markdown`, `sla`); storage (`store`, one module per record),
//! `search`, and `mail` (delivery of the outbox, the signature of our
//! Message-IDs); the web kit (`web`: state, callers, pages, answers); the
//! features, named as the view folders are (`tickets`, `agent`, `knowledge`,
//! `notices`, `accounts`, `settings`), with `attachments`, `inbox` (mail into
//! the desk), `live` (the event stream) and `demo`; the router (`server/src`).

// Below the web kit.
pub mod hub;
pub mod mail;
pub mod markdown;
pub mod search;
pub mod secrets;
pub mod sla;
pub mod store;

// The web kit.
pub mod web;

// The features.
pub mod accounts;
pub mod agent;
pub mod attachments;
pub mod demo;
pub mod inbox;
pub mod knowledge;
pub mod live;
pub mod notices;
pub mod settings;
pub mod tickets;
