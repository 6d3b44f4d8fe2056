//! plexus-node: the node of a Plexus network, and the tools that run many of them. Everything is
//! in the library (`lib.rs`); this only runs the command line.

fn main() {
	// Errors are shown as their message (not their Debug form) and end the process with status 1.
	if let Err(error) = plexus_node::command::run() {
		eprintln!("Error: {error}");
		std::process::exit(1);
	}
}
