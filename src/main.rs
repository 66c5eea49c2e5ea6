use clap::Parser;

fn main() {
    let cli = asynclint::cli::Cli::parse();
    std::process::exit(asynclint::cli::run(cli));
}
