//! Everything that only runs on the server, compiled only with the `ssr` feature.
//!
//! Layers, each using only those below it: the domain (`crate::domain`, no I/O);
//! the event hub (`hub`) and pure helpers (`secrets`, `markdown`, `sla`);
//! storage (`db` and the SQL of each feature) and `search`; the web kit (`web`:
//! state, callers, pages, answers); the feature handlers and server-function
//! bodies; the router (`server/src`).

pub mod account_forms;
pub mod accounts;
pub mod agent;
pub mod catalog_routes;
pub mod config;
pub mod demo;
pub mod forms;
pub mod hub;
pub mod knowledge;
pub mod live;
pub mod markdown;
pub mod notice_routes;
pub mod notices;
pub mod search;
pub mod secrets;
pub mod settings;
pub mod sla;
pub mod store;
pub mod web;
pub mod work_forms;
