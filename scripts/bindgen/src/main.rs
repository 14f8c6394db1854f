//! `bindgen IN.wasm OUT_DIR NAME`: writes `NAME.js` and `NAME_bg.wasm` for the browser, as
//! `wasm-bindgen --target web --no-typescript --out-name NAME --out-dir OUT_DIR IN.wasm` does
//! (the same library, the same options), so a fresh machine need not compile wasm-bindgen-cli.

use std::{path::PathBuf, process::ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out_dir, name] = args.as_slice() else {
        eprintln!("usage: bindgen IN.wasm OUT_DIR NAME");
        return ExitCode::from(2);
    };
    match generate(PathBuf::from(input), PathBuf::from(out_dir), name) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bindgen: {input}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The options the wasm-bindgen command line sets for `--target web --no-typescript`; every
/// other flag at the command line's default.
fn generate(input: PathBuf, out_dir: PathBuf, name: &str) -> anyhow::Result<()> {
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen.web(true)?;
    #[allow(deprecated)]
    bindgen
        .input_path(input)
        .debug(false)
        .demangle(true)
        .keep_lld_exports(false)
        .keep_debug(false)
        .split_debug_info(false)
        .remove_name_section(false)
        .remove_producers_section(false)
        .typescript(false)
        .omit_imports(false)
        .omit_default_module_path(false)
        .split_linked_modules(false)
        .js_string_builtins(false)
        .ts_typed_array_buffers(false)
        .reference_types(false)
        .reset_state_function(false)
        .force_enable_abort_handler(false)
        .out_name(name);
    bindgen.generate(out_dir)
}
