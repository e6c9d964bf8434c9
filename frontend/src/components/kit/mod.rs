//! The building blocks of list pages: an error banner, a debounced search box, and the pieces of
//! an admin table ([`CrudPage`] puts them together over a [`CrudState`](crate::state::crud::CrudState)).

mod alert;
mod crud;
mod icon_button;
mod search;

pub use alert::ErrorAlert;
pub use crud::{CrudPage, RowActions};
pub use icon_button::IconButton;
pub use search::SearchInput;
