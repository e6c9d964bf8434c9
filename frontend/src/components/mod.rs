//! Reusable pieces of the UI.

pub mod app_frame;
pub mod avatar;
pub mod composer;
pub mod confirm_dialog;
pub mod contact_form;
pub mod conversation;
pub mod emoji;
pub mod form;
pub mod icons;
pub mod kit;
pub mod lang_switch;
pub mod modal;
pub mod profile_dialog;
pub mod queue_form;
pub mod quick_reply_form;
pub mod quick_reply_picker;
pub mod rich_text;
pub mod thread;
pub mod ticket_list;
pub mod toast;
pub mod transfer_dialog;
pub mod user_form;
pub mod user_menu;
