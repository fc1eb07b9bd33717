//! Order application functions: one per use case, called by the thin GraphQL resolvers.

use sha2::{Digest, Sha256};
use uuid::Uuid;
use waybill_domain::ids::OrderId;
use waybill_domain::order::{
    ErrorKind, OrderCommand, OrderError, PlaceOrder, ORDER_AGGREGATE_TYPE,
};

use super::context::{Idempotency, RequestContext};
use super::service::{CommandOptions, CommandOutcome};
use crate::error::{AppError, ErrorCode};
use crate::services::Services;

impl From<OrderError> for AppError {
    fn from(e: OrderError) -> Self {
        let code = match e.kind() {
            ErrorKind::NotFound => ErrorCode::NotFound,
            ErrorKind::InvalidInput => ErrorCode::InvalidInput,
            ErrorKind::InvalidState => ErrorCode::InvalidState,
        };
        AppError::new(code, e.to_string()).with_reason(e.code())
    }
}

/// Namespace of stream ids minted for a creation from the caller's idempotency key.
const KEYED_STREAM_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_55a2_8d3e_4b0f_9a7e_2c41_d0b3_e915);

/// A caller's optimistic-concurrency and idempotency wishes, before fingerprinting.
#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    pub expected_version: Option<i64>,
    pub idempotency_key: Option<String>,
    /// The request in canonical form (for GraphQL: the field and its arguments, see
    /// `graphql::mutation`), before defaults such as "now" are filled in, so a retry with the
    /// same key fingerprints the same.
    pub request: String,
}

impl WriteOptions {
    /// The options a mutation passes on: `request` is the canonical request text the
    /// idempotency key is bound to.
    pub fn new(
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
        request: String,
    ) -> WriteOptions {
        WriteOptions {
            expected_version,
            idempotency_key,
            request,
        }
    }

    /// The id of a stream this request creates. With an idempotency key it is derived from
    /// (caller, key, purpose), so a retry names the stream the first attempt created and can
    /// never create a second one; without a key it is fresh (time-ordered).
    pub fn new_stream_id(&self, ctx: &RequestContext, purpose: &str) -> Uuid {
        match &self.idempotency_key {
            Some(key) => {
                let caller = &ctx.principal.key_id;
                // Length-prefixed, so no (caller, key) pair can spell another.
                let name = format!("{}:{caller}|{}:{key}|{purpose}", caller.len(), key.len());
                Uuid::new_v5(&KEYED_STREAM_NAMESPACE, name.as_bytes())
            }
            None => Uuid::now_v7(),
        }
    }

    /// Binds the idempotency key to this exact request.
    pub(crate) fn command_options(&self) -> Result<CommandOptions, AppError> {
        let idempotency = match &self.idempotency_key {
            None => None,
            Some(key) if key.is_empty() || key.len() > 200 => {
                return Err(AppError::invalid_input(
                    "idempotencyKey",
                    "must be 1 to 200 characters",
                ));
            }
            Some(key) => Some(Idempotency {
                key: key.clone(),
                fingerprint: hex::encode(Sha256::digest(self.request.as_bytes())),
            }),
        };
        if let Some(v) = self.expected_version {
            if v < 0 {
                return Err(AppError::invalid_input(
                    "expectedVersion",
                    "must not be negative",
                ));
            }
        }
        Ok(CommandOptions {
            expected_version: self.expected_version,
            idempotency,
            expect_new_stream: false,
        })
    }
}

impl Services {
    /// Places a channel order. The stream id is derived from (channel, external number), so
    /// the same channel order sent twice lands on one stream and returns the first order.
    pub async fn place_order(
        &self,
        ctx: &RequestContext,
        command: PlaceOrder,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let order_id = OrderId::for_channel_order(command.channel, &command.external_number);
        let stream_id = order_id.to_string();
        let mut opts = options.command_options()?;
        opts.expect_new_stream = options.expected_version.is_none();
        let result = self
            .commands
            .execute(
                &self.orders,
                &stream_id,
                OrderCommand::Place(command),
                ctx,
                &opts,
            )
            .await;
        match result {
            Err(e) if e.reason == Some("already_placed") && options.expected_version.is_none() => {
                self.existing_order(&stream_id).await
            }
            other => other,
        }
    }

    /// Any other order command.
    pub async fn order_command(
        &self,
        ctx: &RequestContext,
        order_id: &str,
        command: OrderCommand,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let id: OrderId = order_id.parse().map_err(|_| {
            AppError::invalid_input("orderId", format!("not an order id: {order_id:?}"))
        })?;
        let stream_id = id.to_string();
        let opts = options.command_options()?;
        self.commands
            .execute(&self.orders, &stream_id, command, ctx, &opts)
            .await
    }

    /// The answer to a repeated placement: the order as first placed.
    async fn existing_order(&self, stream_id: &str) -> Result<CommandOutcome, AppError> {
        let events = self
            .orders
            .load_events(stream_id)
            .await
            .map_err(|e| AppError::internal("loading an order", &e))?;
        let version = events.last().map_or(0, |e| e.sequence as i64);
        if version == 0 {
            return Err(AppError::new(
                ErrorCode::Internal,
                "order reported as placed but has no events",
            ));
        }
        let position = self
            .commands
            .position_of(ORDER_AGGREGATE_TYPE, stream_id, 1)
            .await?;
        Ok(CommandOutcome {
            stream_id: stream_id.to_string(),
            version,
            position,
            replayed: true,
        })
    }
}
