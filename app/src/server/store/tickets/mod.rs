//! Tickets, with their history, links, checklist, followers and SLA milestones:
//! every change goes through [`work::TicketWork`].

pub mod apply;
pub mod clock;
pub mod desk;
pub mod log;
pub mod reporter;
pub mod work;
