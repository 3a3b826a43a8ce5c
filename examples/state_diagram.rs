//! Prints `docs/state-machine.md`, generated from the transition table:
//!
//! ```sh
//! cargo run --example state_diagram > docs/state-machine.md
//! ```

fn main() {
    print!("{}", proton_cancel::state_machine_markdown());
}
