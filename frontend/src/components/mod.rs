//! Reusable pieces of the UI.

pub mod app_frame;
pub mod confirm_dialog;
pub mod form;
pub mod icons;
pub mod lang_switch;
pub mod modal;
pub mod profile_dialog;
pub mod queue_form;
pub mod toast;
pub mod user_form;
pub mod user_menu;
