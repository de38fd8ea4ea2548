//! The WebAssembly entry point: hydrates the portal's islands and nothing else.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::hydrate_islands();
    app::components::follow_browser_zone();
}
