//! API key management (admin only).

use async_graphql::{Context, Enum, Object, SimpleObject};

use super::context::{authorize, services};
use super::error::GqlResult;
use crate::auth::{keys, Permission, Role};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Role")]
pub enum RoleInput {
    Admin,
    Integrator,
    Warehouse,
    Agent,
    Auditor,
}

impl From<RoleInput> for Role {
    fn from(r: RoleInput) -> Role {
        match r {
            RoleInput::Admin => Role::Admin,
            RoleInput::Integrator => Role::Integrator,
            RoleInput::Warehouse => Role::Warehouse,
            RoleInput::Agent => Role::Agent,
            RoleInput::Auditor => Role::Auditor,
        }
    }
}

#[derive(SimpleObject)]
pub struct CreatedApiKey {
    pub key_id: String,
    pub role: String,
    /// The whole key. It is shown this once and never stored.
    pub token: String,
}

#[derive(SimpleObject)]
pub struct ApiKey {
    pub key_id: String,
    pub role: String,
    pub label: String,
    pub revoked: bool,
}

#[derive(Default)]
pub struct KeyQueries;

#[Object]
impl KeyQueries {
    async fn api_keys(&self, ctx: &Context<'_>) -> GqlResult<Vec<ApiKey>> {
        authorize(ctx, Permission::ManageKeys)?;
        Ok(keys::list(&services(ctx)?.db)
            .await?
            .into_iter()
            .map(|k| ApiKey {
                key_id: k.key_id,
                role: k.role,
                label: k.label,
                revoked: k.revoked,
            })
            .collect())
    }
}

#[derive(Default)]
pub struct KeyMutations;

#[Object]
impl KeyMutations {
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        role: RoleInput,
        #[graphql(default)] label: String,
    ) -> GqlResult<CreatedApiKey> {
        authorize(ctx, Permission::ManageKeys)?;
        if label.len() > 200 {
            return Err(
                crate::error::AppError::invalid_input("label", "at most 200 characters").into(),
            );
        }
        let services = services(ctx)?;
        let key = keys::create(&services.db, role.into(), &label).await?;
        services.keys.invalidate();
        Ok(CreatedApiKey {
            key_id: key.key_id,
            role: key.role.to_string(),
            token: key.token,
        })
    }

    async fn revoke_api_key(&self, ctx: &Context<'_>, key_id: String) -> GqlResult<bool> {
        authorize(ctx, Permission::ManageKeys)?;
        let services = services(ctx)?;
        keys::revoke(&services.db, &key_id).await?;
        services.keys.invalidate();
        Ok(true)
    }
}
