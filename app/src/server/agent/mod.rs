//! The agent workspace's server side: the desk's action forms.

pub mod act;
