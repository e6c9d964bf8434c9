//! `/users`: administrators change them; everyone may list them (the transfer dialog and the
//! filters need them).

use shared::ids::UserId;
use shared::org::{NewUser, UpdateUser, User};

use super::resource::{HasId, Resource};

pub const USERS: Resource<User, NewUser, UpdateUser> = Resource::new("/users");

impl HasId for User {
    type Id = UserId;
    fn id(&self) -> UserId {
        self.id
    }
}
