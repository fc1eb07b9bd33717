//! Building and running the application: the composition root.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::info;
use waybill_projections::{Db, Runner, RunnerOptions};

use crate::auth::{keys, Role};
use crate::commands::service::CommandService;
use crate::commands::store::Store;
use crate::config::{ServeSettings, StoreSettings};
use crate::crm::config::CrmConfig;
use crate::crm::CrmSettings;
use crate::error::{AppError, ErrorCode};
use crate::graphql::build_schema;
use crate::guards::Guards;
use crate::http::{router, AppState};
use crate::services::Services;

/// Opens the store named by the settings and applies pending migrations.
pub async fn open_store(settings: &StoreSettings) -> Result<Db, AppError> {
    let db = Db::connect_with(
        settings.database_url.as_deref(),
        &settings.data_dir,
        settings.db_max_connections.max(2),
    )
    .await?;
    db.migrate().await?;
    Ok(db)
}

/// The runner with every projection this build has.
pub fn runner(db: &Db, options: RunnerOptions) -> Runner {
    Runner::new(db.clone(), waybill_projections::all_projections(), options)
}

/// Services on the built-in CRM configuration.
pub fn services(db: Db, runner: Arc<Runner>) -> Arc<Services> {
    services_with(db, runner, CrmSettings::default())
}

pub fn services_with(db: Db, runner: Arc<Runner>, crm: CrmSettings) -> Arc<Services> {
    Arc::new(Services {
        commands: CommandService::new(db.clone(), runner.waker()),
        orders: Store::new(&db),
        customers: Store::new(&db),
        cases: Store::new(&db),
        crm,
        sites: Store::new(&db),
        vehicles: Store::new(&db),
        routes: Store::new(&db),
        shipments: Store::new(&db),
        returns: Store::new(&db),
        return_windows: crate::commands::returns::configured_return_windows(),
        db,
        runner,
        keys: Default::default(),
    })
}

/// A bound, ready-to-serve application.
pub struct Application {
    pub address: SocketAddr,
    pub services: Arc<Services>,
    listener: TcpListener,
    state: AppState,
    run_projections: bool,
}

impl Application {
    pub async fn build(db: Db, serve: &ServeSettings) -> Result<Application, AppError> {
        let crm = CrmConfig::load(serve.crm_config.as_deref())
            .map_err(|e| AppError::new(ErrorCode::InvalidInput, e.to_string()))?;
        let runner = Arc::new(runner(&db, RunnerOptions::default()));
        runner.ensure_tables().await?;
        let services = services_with(db, runner, CrmSettings::configured(crm));
        let schema = build_schema(Some(services.clone()));
        let listener = TcpListener::bind(serve.listen)
            .await
            .map_err(|e| AppError::internal("binding the listen address", &e))?;
        let address = listener
            .local_addr()
            .map_err(|e| AppError::internal("reading the bound address", &e))?;
        Ok(Application {
            address,
            state: AppState {
                services: services.clone(),
                schema,
                guards: Arc::new(Guards::new(&serve.limits)),
            },
            services,
            listener,
            run_projections: serve.run_projections,
        })
    }

    /// Serves until `shutdown` turns true; runs the projection runner alongside.
    pub async fn run(self, shutdown: watch::Receiver<bool>) -> Result<(), AppError> {
        let runner_task: Option<JoinHandle<()>> = self
            .run_projections
            .then(|| tokio::spawn(self.services.runner.clone().run(shutdown.clone())));
        // Policies (and the CRM's periodic sweeps) run where the projections run.
        let policy_tasks: Vec<JoinHandle<()>> = if self.run_projections {
            crate::policies::spawn_all(self.services.clone(), shutdown.clone())
        } else {
            Vec::new()
        };
        // Key revocations and creations made by other processes reach this one's cache.
        let key_changes = tokio::spawn(crate::auth::changes::follow(
            self.services.clone(),
            shutdown.clone(),
        ));
        info!(address = %self.address, "Waybill listening; GraphiQL at /graphql");
        let mut stop = shutdown.clone();
        // The peer address feeds the per-address rate limit.
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await
            .map_err(|e| AppError::internal("serving HTTP", &e))?;
        let _ = key_changes.await;
        if let Some(task) = runner_task {
            let _ = task.await;
        }
        for task in policy_tasks {
            let _ = task.await;
        }
        Ok(())
    }
}

/// On the first start of an empty embedded store there is no way in yet: create an admin key
/// and print it once. PostgreSQL deployments create their first key with `waybill keys create`.
pub async fn bootstrap_admin_key(db: &Db) -> Result<Option<String>, AppError> {
    if db.backend() != waybill_projections::Backend::Sqlite || keys::count(db).await? > 0 {
        return Ok(None);
    }
    let key = keys::create(db, Role::Admin, "bootstrap admin").await?;
    Ok(Some(key.token))
}
