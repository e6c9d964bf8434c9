//! The SPA's files: the gzipped copy that scripts/build-spa.sh writes beside each one is sent to
//! browsers that accept gzip, and the file itself to the others.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};

use crate::helpers::TestApp;

#[tokio::test]
async fn a_gzipped_copy_is_sent_to_browsers_that_accept_it() {
    let app = TestApp::start_with(|c| {
        let dir = c.data_dir.join("spa");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("index.html"), "<html>atende spa</html>").expect("index");
        std::fs::write(dir.join("atende_bg.wasm"), b"\0asm plain").expect("wasm");
        std::fs::write(dir.join("atende_bg.wasm.gz"), b"gzipped bytes").expect("gz");
        c.static_dir = dir;
    })
    .await;
    let url = app.url("/atende_bg.wasm");

    let gzipped = app.client.get(&url).header(ACCEPT_ENCODING, "gzip, deflate, br").send().await.expect("send");
    assert_eq!(gzipped.status(), StatusCode::OK);
    assert_eq!(gzipped.headers().get(CONTENT_ENCODING).and_then(|v| v.to_str().ok()), Some("gzip"));
    assert_eq!(gzipped.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("application/wasm"));
    assert_eq!(gzipped.bytes().await.expect("body").as_ref(), b"gzipped bytes");

    let plain = app.client.get(&url).header(ACCEPT_ENCODING, "identity").send().await.expect("send");
    assert_eq!(plain.status(), StatusCode::OK);
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(plain.bytes().await.expect("body").as_ref(), b"\0asm plain");
}
