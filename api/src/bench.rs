pub async fn run(_s: BenchSettings) -> Result<(), crate::error::AppError> {
    Ok(())
}
#[derive(Clone, Debug, clap::Args)]
pub struct BenchSettings {}
