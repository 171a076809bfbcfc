//! The local user profile: who uses this Relman, in which roles. Every write records them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::approval::Role;
use crate::error::{Error, FieldError, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Profile {
    pub name: String,
    pub roles: Vec<Role>,
}

impl Profile {
    pub fn validate(&self) -> Result<Profile> {
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > crate::release::OWNER_MAX {
            return Err(Error::Validation(vec![FieldError::new(
                "name",
                format!("must be 1 to {} characters", crate::release::OWNER_MAX),
            )]));
        }
        let mut roles = self.roles.clone();
        roles.sort();
        roles.dedup();
        Ok(Profile { name, roles })
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}
