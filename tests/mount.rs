//! `mount` into a root without the page's elements adds the template (src/template.html) after
//! what the root already holds, and unmount removes exactly that: the stock page
//! (index.html) keeps its heading in the root it auto-mounts on.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn mount_adds_the_template_after_the_roots_own_content_and_unmount_removes_only_it() {
    let relay = Relay::new();
    let root = root("mount-own");
    root.set_inner_html("<h1 id=\"own-heading\">Our chat</h1>");
    let (mounted, index) = relay.mount_on(root, None);
    assert!(mounted.query_selector("#own-heading").unwrap().is_some());
    assert!(mounted.query_selector("#name").unwrap().is_some());
    assert_eq!(
        mounted.child_element_count(),
        2,
        "the heading, then the template"
    );
    relay.destroy(index);
    assert!(mounted.query_selector("#name").unwrap().is_none());
    assert_eq!(mounted.child_element_count(), 1, "only the heading is left");
    assert_eq!(
        q(&mounted, "#own-heading").text_content().as_deref(),
        Some("Our chat")
    );

    let (empty, index) = relay.mount("mount-empty", None);
    assert!(empty.query_selector("#name").unwrap().is_some());
    relay.destroy(index);
    assert_eq!(
        empty.child_element_count(),
        0,
        "an empty root is empty again"
    );
}

/// A page with its own elements but no `#status` / `#error` (the tutorial's): both are added,
/// with their roles, and removed again on unmount.
#[wasm_bindgen_test]
async fn mount_adds_status_and_error_to_a_page_without_them_and_unmount_removes_them() {
    let relay = Relay::new();
    let (filled, index) = relay.mount("mount-template", None);
    let page = q(&filled, ".webrtc-chat").inner_html();
    relay.destroy(index);
    let root = root("mount-no-status");
    root.set_inner_html(&page);
    q(&root, "#status").remove();
    q(&root, "#error").remove();
    let (mounted, index) = relay.mount_on(root, None);
    assert_eq!(
        q(&mounted, "#status").get_attribute("role").as_deref(),
        Some("status")
    );
    assert_eq!(
        q(&mounted, "#error").get_attribute("role").as_deref(),
        Some("alert")
    );
    relay.destroy(index);
    assert!(mounted.query_selector("#status").unwrap().is_none());
    assert!(mounted.query_selector("#error").unwrap().is_none());
    assert!(
        mounted.query_selector("#name").unwrap().is_some(),
        "the page's own stay"
    );
}
