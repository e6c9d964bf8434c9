//! The `atende` command: parses the command line and hands over to the library.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "atende", version, about = "Atende: multi-agent WhatsApp customer service")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, create the first admin if none exists, and serve the API and the SPA.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create or reset the platform admin of the default company.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value = "Administrador")]
        name: String,
    },
    /// Fill the default company with demo queues and agents.
    SeedDemo,
    /// Print the OpenAPI document as JSON.
    Openapi,
}

fn main() -> std::process::ExitCode {
    // Before any thread starts: it may replace the process with itself (see the module).
    atende::allocator::return_large_blocks();
    run(Cli::parse())
}

#[tokio::main]
async fn run(cli: Cli) -> std::process::ExitCode {
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => atende::cli::serve().await,
        Command::Migrate => atende::cli::migrate().await,
        Command::CreateAdmin { email, password, name } => atende::cli::create_admin(&email, &password, &name).await,
        Command::SeedDemo => atende::cli::seed_demo().await,
        Command::Openapi => atende::cli::print_openapi(),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("atende: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
