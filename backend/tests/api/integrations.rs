//! The integrations' settings (Typebot, ChatGPT, DialogFlow, Comtele): secrets write-only and
//! sealed, validation on save, and each "test connection" against a local stand-in that speaks the
//! provider's documented format (the real client code runs).

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, desk};

/// A throwaway RSA key for a fake service account (never used anywhere else).
pub const TEST_PRIVATE_KEY: &str = r"-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQDM20rJz4wcUVTe
h10Os4u+GSbsjZpn/xr/vHt49k7nlievR1GnUN02iDR/sHqkBXOjHVdcGUFDd7wG
8SaLSMXR1yDCy5bT3DXGQuSRbGE2mGRjdNCqG+22WUi8CZx9BdywA7hnx5ghYm3t
MLevUEFpxBtNFUsPtJbRyMf12WsKIhbISAIu1Oaf5OeVBnz473qEbWqMEHSQgdWg
L0UkF5DkU0J93RLh+BQosl2Ks17hgEvKT90k+FVnZ9FJ59C3WBBjGf17w/OVdZq+
Eu55ssxXmf8grV1xic1ZXyaD/iG5i51UGuz8s+GhqvuJSAht90udB0PlC90NivQ9
I1GxyPYdAgMBAAECggEAIa2mprVwkSI82+Wwoo9ZeLvtVoP0H8dEkskTmoAR2khp
B0uoDKQCbinnyZtDmk4MJAOZnlpHjLY1SwXfwpPI89XUfLnYNsXT8F+EcLT66W0V
yfUFLgYv5yPYDZPd7n7leGlwKl2ZsNlb/ZveAtwkmOUE4QAQaklT5zLFTvF6w7wq
BQb5CgUPsCBB6xvxDvoZngugV1gqHNLLIXZ/S4zXyAD/6R4E1MneA+dUQiVacOVt
uwrsIWp2/fr16P6IvaYZcUh+k11DUBHnOs6WD/9gg2IhHANGehriw5z/1Q+QlYck
9lP9RbfASNSeIQ6B43k9lTBAOd/FV0TmKF2s/7WE0QKBgQDz06OAl5YWio4CKcIk
bLjQHdG9M1qBD2hKRBRCXOH2ZP03Vw7X6TpUr/bfeTfzaLr6e5jdc5nIZus9d6XL
kfqi4GHdHt9uW0cLrRtVDC0JKbEdXehbUa+BkCJIi9HfvdlRT7/H4ZPiHqkBabQp
vaaavR8uO/HMu2kTtSU1qxmq8QKBgQDXFZMbKoDzZg+DWGqdKFzhxVc+ez2HXweY
MjgKNUUffmKMqp+vX0xNh0DwSnTv5m2LOVnD1qKby0U/g8RSflJS1iMtFX2dtdlx
MEacjmb/mgcd+mInUXMkwPgF0e7biENjyLHnS16th9hkNY191IFNoqBrYoumpUy8
jsStj58F7QKBgGG4nrz5BARAv62KQu8KS//NE7R6knlLTYcGRgBa7Y0s6Hd3gtFx
/hjW9WCXWp9JiDa/toJ6xFWXOgzGmUI/XW5N86sFppK6Ln01gdDSMnKLrRqR+oAu
+uI4fCULNLAxjJmUFs7rT7O+igmw7a4U/mLiDU8gY0akjfaCEUmzK3RhAoGAXMdT
s448HcJSwserBavZlRI5NhyXSAO4FPDkt5KPBKzR+ffH9jBXi8HiQ0T6+Fkfu8S7
cfzuG+ItNt6yGxuei1kPx2zTyOoep/K5IuNSjsN0env9RxSdZKdQ1cHfFRfMagiy
pSEf8B7/OwrWxAac2E5kgK37q6D2Xwf+0xd282kCgYA4dZzFfaVT2aUhylPybuz/
+gdxVw7DWyJcSyXNV3uQtYfl5lOLSLk0XHZnJ6dkv0u4VutvER8AEm/1n+bhWm8S
zlckwGWKvFeslK+2KuiGNX5I5EzSSux4wBQSWvTQKB+CO9QaRbRIftL2CsDtYDLr
KbWPPlfGL4wEvQPB4r9JPA==
-----END PRIVATE KEY-----";

/// What the stand-in providers saw.
#[derive(Default)]
pub struct Seen {
    /// `auth-key` headers and JSON bodies of Comtele sends.
    pub sms: Vec<(String, Value)>,
    pub comtele_key: Option<String>,
    pub bearer: Option<String>,
    pub token_form: Option<String>,
    /// When set, Comtele refuses sends with this message.
    pub comtele_refuses: Option<String>,
}

pub type Shared = Arc<Mutex<Seen>>;

/// One server playing every provider: Comtele (`/comtele/send`, `/comtele/credits`), an OpenAI
/// server (`/openai/models`), a Typebot server (`/typebot`), Google's token endpoint (`/token`).
pub async fn start_providers() -> (String, Shared) {
    let seen: Shared = Arc::default();
    let app = Router::new()
        .route(
            "/comtele/send",
            post(|State(seen): State<Shared>, headers: HeaderMap, body: String| async move {
                let key = headers.get("auth-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                let mut seen = seen.lock().expect("lock");
                seen.sms.push((key.clone(), body));
                if key != "comtele-key" {
                    return axum::Json(json!({"Success": false, "Object": null, "Message": "Chave de API inválida"}));
                }
                match seen.comtele_refuses.clone() {
                    Some(message) => axum::Json(json!({"Success": false, "Object": null, "Message": message})),
                    None => {
                        axum::Json(json!({"Success": true, "Object": null, "Message": "Mensagem enviada com sucesso"}))
                    }
                }
            }),
        )
        .route(
            "/comtele/credits",
            get(|State(seen): State<Shared>, headers: HeaderMap| async move {
                let key = headers.get("auth-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                seen.lock().expect("lock").comtele_key = Some(key.clone());
                if key == "comtele-key" {
                    axum::Json(json!({"Success": true, "Object": 1234, "Message": null}))
                } else {
                    axum::Json(json!({"Success": false, "Object": null, "Message": "Chave de API inválida"}))
                }
            }),
        )
        .route(
            "/openai/models",
            get(|State(seen): State<Shared>, headers: HeaderMap| async move {
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                seen.lock().expect("lock").bearer = Some(auth.clone());
                if auth == "Bearer sk-test" {
                    (
                        StatusCode::OK,
                        axum::Json(json!({"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model"}]})),
                    )
                } else {
                    (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": {"message": "Incorrect API key provided"}})))
                }
            }),
        )
        .route("/typebot", get(|| async { "Typebot" }))
        .route(
            "/token",
            post(|State(seen): State<Shared>, body: String| async move {
                seen.lock().expect("lock").token_form = Some(body.clone());
                if body.starts_with("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=") {
                    (
                        StatusCode::OK,
                        axum::Json(json!({"access_token": "ya29.test", "expires_in": 3599, "token_type": "Bearer"})),
                    )
                } else {
                    (StatusCode::BAD_REQUEST, axum::Json(json!({"error": "invalid_grant"})))
                }
            }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, seen)
}

pub fn service_account(token_uri: &str) -> String {
    json!({"type": "service_account", "project_id": "atende-test", "client_email": "bot@atende-test.iam.gserviceaccount.com",
        "private_key": TEST_PRIVATE_KEY, "token_uri": token_uri})
    .to_string()
}

/// Switches Comtele on against the stand-in.
pub async fn enable_comtele(app: &TestApp, admin: &str, base: &str) {
    let (status, body) = app
        .patch(
            "/api/v1/settings",
            admin,
            json!({"comtele": {"enabled": true, "base_url": format!("{base}/comtele"), "api_key": "comtele-key", "sender": "ATENDE"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn secrets_are_write_only_sealed_and_kept_until_replaced() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (_, fresh) = app.get("/api/v1/settings", &admin).await;
    assert_eq!(fresh["chatgpt"]["api_key_set"], false);
    assert_eq!(fresh["comtele"]["base_url"], "https://sms.comtele.com.br/api/v2");
    assert_eq!(fresh["dialogflow"]["service_account_json_set"], false);

    let (status, saved) = app
        .patch("/api/v1/settings", &admin, json!({"chatgpt": {"api_key": "sk-very-secret", "model": "gpt-4o"}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["chatgpt"]["api_key_set"], true);
    assert!(saved["chatgpt"].get("api_key").is_none(), "{saved}");
    assert!(!saved.to_string().contains("sk-very-secret"));
    let (_, read) = app.get("/api/v1/settings", &admin).await;
    assert!(!read.to_string().contains("sk-very-secret"));
    assert_eq!(read["chatgpt"]["model"], "gpt-4o");

    // At rest it is sealed: the row does not hold the key in the clear.
    use sea_orm::EntityTrait;
    let rows = atende::store::entities::company_settings::Entity::find().all(&app.state.db).await.unwrap();
    let stored = rows[0].chatgpt.clone().unwrap();
    assert!(stored.contains("sealed:v1:") && !stored.contains("sk-very-secret"), "{stored}");

    // Another section's patch keeps it; an empty string removes it.
    let (_, kept) = app.patch("/api/v1/settings", &admin, json!({"chatgpt": {"temperature": 1.5}})).await;
    assert_eq!(kept["chatgpt"]["api_key_set"], true);
    assert_eq!(kept["chatgpt"]["temperature"], 1.5);
    let (_, removed) = app.patch("/api/v1/settings", &admin, json!({"chatgpt": {"api_key": ""}})).await;
    assert_eq!(removed["chatgpt"]["api_key_set"], false);
}

#[tokio::test]
async fn enabling_a_section_needs_its_fields_and_values_are_checked() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (status, body) = app
        .patch(
            "/api/v1/settings",
            &admin,
            json!({"typebot": {"enabled": true}, "chatgpt": {"enabled": true, "temperature": 3.0, "max_tokens": 0},
                "dialogflow": {"enabled": true, "project_id": "p", "service_account_json": "{\"client_email\": \"x\"}"},
                "comtele": {"enabled": true, "base_url": "ftp://sms.example.com"}}),
        )
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let fields = &body["error"]["details"];
    assert_eq!(fields["typebot.base_url"]["code"], "required", "{body}");
    assert_eq!(fields["typebot.public_id"]["code"], "required");
    assert_eq!(fields["chatgpt.api_key"]["code"], "required");
    assert_eq!(fields["chatgpt.temperature"]["code"], "number_between");
    assert_eq!(fields["chatgpt.max_tokens"]["code"], "number_between");
    assert_eq!(fields["dialogflow.service_account_json"]["code"], "not_service_account");
    assert_eq!(fields["comtele.base_url"]["code"], "not_url");
    let (_, now) = app.get("/api/v1/settings", &admin).await;
    assert_eq!(now["typebot"]["enabled"], false, "nothing of a refused patch was kept");

    let (status, body) = app
        .patch(
            "/api/v1/settings",
            &admin,
            json!({"dialogflow": {"enabled": true, "project_id": "atende-test", "agent_id": "abc",
                "service_account_json": service_account("https://oauth2.googleapis.com/token")}}),
        )
        .await;
    assert_eq!(
        body["error"]["details"]["dialogflow.location"]["code"], "required",
        "CX needs a region: {status} {body}"
    );
    let (status, saved) = app
        .patch(
            "/api/v1/settings",
            &admin,
            json!({"dialogflow": {"enabled": true, "project_id": "atende-test", "agent_id": "abc", "location": "us-central1",
                "service_account_json": service_account("https://oauth2.googleapis.com/token")}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["dialogflow"]["service_account_json_set"], true);
    assert!(!saved.to_string().contains("PRIVATE KEY"));
}

#[tokio::test]
async fn provider_urls_go_through_the_ssrf_guard() {
    let app = TestApp::start_with(|config| config.allow_private_urls = false).await;
    let admin = app.admin().await;
    for url in ["http://sms.example.com/api", "https://127.0.0.1/api", "https://169.254.169.254/"] {
        let (status, body) = app.patch("/api/v1/settings", &admin, json!({"comtele": {"base_url": url}})).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
        assert_eq!(body["error"]["details"]["comtele.base_url"]["code"], "not_public_url", "{url}: {body}");
    }
    // A key file pointing its token endpoint at the server's own network is refused at the call.
    let (status, _) = app
        .patch(
            "/api/v1/settings",
            &admin,
            json!({"dialogflow": {"service_account_json": service_account("http://127.0.0.1:9/token")}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, test) = app.post("/api/v1/settings/dialogflow/test", &admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{test}");
    assert_eq!(test["ok"], false);
    assert!(test["detail"].as_str().unwrap().contains("URL"), "{test}");
}

#[tokio::test]
async fn each_integration_tests_its_connection_against_the_provider() {
    let (base, seen) = start_providers().await;
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (status, body) = app.post("/api/v1/settings/comtele/test", &admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["ok"], false, "nothing configured yet: {body}");

    let (status, body) = app
        .patch(
            "/api/v1/settings",
            &admin,
            json!({
                "typebot": {"enabled": true, "base_url": format!("{base}/typebot"), "public_id": "my-bot"},
                "chatgpt": {"enabled": true, "base_url": format!("{base}/openai"), "api_key": "sk-test"},
                "dialogflow": {"enabled": true, "project_id": "atende-test", "service_account_json": service_account(&format!("{base}/token"))},
                "comtele": {"enabled": true, "base_url": format!("{base}/comtele"), "api_key": "comtele-key"},
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for section in ["typebot", "chatgpt", "dialogflow", "comtele"] {
        let (status, body) = app.post(&format!("/api/v1/settings/{section}/test"), &admin, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{section}: {body}");
        assert_eq!(body["ok"], true, "{section}: {body}");
    }
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.comtele_key.as_deref(), Some("comtele-key"), "the stored key is what Comtele received");
        assert_eq!(seen.bearer.as_deref(), Some("Bearer sk-test"));
        let form = seen.token_form.clone().unwrap();
        let assertion = form.split("assertion=").nth(1).unwrap();
        // The assertion is an RS256 JWT for Google's token endpoint, issued by the account.
        let mut parts = assertion.split('.');
        let header: Value = decode_part(parts.next().unwrap());
        let claims: Value = decode_part(parts.next().unwrap());
        assert_eq!(header["alg"], "RS256");
        assert_eq!(claims["iss"], "bot@atende-test.iam.gserviceaccount.com");
        assert_eq!(claims["aud"], format!("{base}/token"));
        assert_eq!(claims["scope"], "https://www.googleapis.com/auth/cloud-platform");
    }

    // A wrong key is reported with the provider's words, never as a server error.
    app.patch("/api/v1/settings", &admin, json!({"chatgpt": {"api_key": "sk-wrong"}, "comtele": {"api_key": "nope"}}))
        .await;
    let (_, body) = app.post("/api/v1/settings/chatgpt/test", &admin, json!({})).await;
    assert_eq!(body["ok"], false);
    assert!(body["detail"].as_str().unwrap().contains("401"), "{body}");
    let (_, body) = app.post("/api/v1/settings/comtele/test", &admin, json!({})).await;
    assert_eq!(body["ok"], false);
    assert!(body["detail"].as_str().unwrap().contains("Chave de API inválida"), "{body}");

    let (status, body) = app.post("/api/v1/settings/telegram/test", &admin, json!({})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (_, agent) = app.user(&admin, "agent@test.local", "agent", &[]).await;
    let (status, body) = app.post("/api/v1/settings/comtele/test", &agent, json!({})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
}

fn decode_part(part: &str) -> Value {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn an_sms_goes_through_comtele_and_joins_the_thread_marked_sms() {
    let (base, seen) = start_providers().await;
    let d = desk().await;
    let (app, admin) = (&d.app, &d.admin);
    let ticket = app.inbound(admin, d.connection, "+5511987650001", "Oi").await;
    let path = format!("/api/v1/tickets/{ticket}/sms");

    let (status, body) = app.post(&path, admin, json!({"body": "Seu pedido saiu"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "sms_disabled");
    assert!(seen.lock().unwrap().sms.is_empty());

    enable_comtele(app, admin, &base).await;
    let (status, sms) = app.post(&path, admin, json!({"body": "Seu pedido saiu para entrega"})).await;
    assert_eq!(status, StatusCode::CREATED, "{sms}");
    assert_eq!(sms["channel"], "sms");
    assert_eq!(sms["status"], "sent");
    assert_eq!(sms["from_me"], true);
    {
        let seen = seen.lock().unwrap();
        let (key, sent) = seen.sms.last().unwrap();
        assert_eq!(key, "comtele-key");
        assert_eq!(
            sent,
            &json!({"Sender": "ATENDE", "Receivers": "5511987650001", "Content": "Seu pedido saiu para entrega"})
        );
    }
    let (_, thread) = app.get(&format!("/api/v1/tickets/{ticket}/messages"), admin).await;
    let newest = &thread["items"][0];
    assert_eq!(newest["id"], sms["id"], "{thread}");
    assert_eq!(newest["channel"], "sms");
    assert!(thread["items"][1].get("channel").is_none(), "WhatsApp messages carry no channel: {thread}");

    // Comtele refuses: a clear 502, and the failed SMS stays in the thread with the reason.
    seen.lock().unwrap().comtele_refuses = Some("Saldo insuficiente".into());
    let (status, body) = app.post(&path, admin, json!({"body": "Outra"})).await;
    assert_error(status, &body, StatusCode::BAD_GATEWAY, "provider_error");
    assert!(body["error"]["message"].as_str().unwrap().contains("Saldo insuficiente"), "{body}");
    let (_, thread) = app.get(&format!("/api/v1/tickets/{ticket}/messages"), admin).await;
    let failed = &thread["items"][0];
    assert_eq!(failed["channel"], "sms");
    assert_eq!(failed["status"], "failed");
    assert!(failed["error"].as_str().unwrap().contains("Saldo insuficiente"), "{failed}");

    let (status, body) = app.post(&path, admin, json!({"body": "  "})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    // An agent who may not see the ticket is told it does not exist.
    let other = app.queue(admin, "Financeiro").await;
    let (_, agent) = app.user(admin, "agent@test.local", "agent", &[other]).await;
    let (status, body) = app.post(&path, &agent, json!({"body": "x"})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}
