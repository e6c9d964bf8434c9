//! Contacts import (CSV, a background job) and export.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, read, walk};
use crate::ws_client::EventStream;

/// Posts `bytes` as the import's file with the other form fields.
async fn import(app: &TestApp, token: &str, bytes: Vec<u8>, fields: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("contatos.csv"));
    for (name, value) in fields {
        form = form.text((*name).to_owned(), (*value).to_owned());
    }
    let response = app
        .client
        .post(app.url("/api/v1/contacts/import"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("request");
    read(response).await
}

/// Polls the job until it is no longer running.
async fn finished(app: &TestApp, token: &str, id: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let (status, job) = app.get(&format!("/api/v1/contacts/imports/{id}"), token).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        if job["status"] != "running" {
            return job;
        }
        assert!(Instant::now() < deadline, "the import never finished: {job}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Imports and waits for the report.
async fn import_done(app: &TestApp, token: &str, bytes: Vec<u8>, fields: &[(&str, &str)]) -> Value {
    let (status, job) = import(app, token, bytes, fields).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["status"], "running", "{job}");
    let report = finished(app, token, job["id"].as_i64().expect("id")).await;
    assert_eq!(report["status"], "done", "{report}");
    report
}

fn counts(report: &Value) -> [u64; 5] {
    ["created", "updated", "skipped", "rejected", "total"].map(|k| report[k].as_u64().unwrap_or(u64::MAX))
}

/// The contact with this normalised number, as the list finds it.
async fn contact(app: &TestApp, token: &str, number: &str) -> Option<Value> {
    let (status, page) = app.get(&format!("/api/v1/contacts?q={number}"), token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().and_then(|items| items.iter().find(|c| c["number"] == number).cloned())
}

/// Every contact of the company (paged through).
async fn all_contacts(app: &TestApp, token: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = app.get(&format!("/api/v1/contacts?limit=100{cursor}"), token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        all.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return all,
        }
    }
}

async fn second_company(app: &TestApp, platform: &str) -> String {
    let (status, created) = app
        .post(
            "/api/v1/companies",
            platform,
            json!({"name": "Outra", "admin": {"name": "Olga", "email": "olga@outra.com", "password": "olga-secret-1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    app.login("olga@outra.com", "olga-secret-1").await
}

#[tokio::test]
async fn utf8_with_bom_semicolons_and_quoted_fields() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend_from_slice(
        "Nome;Telefone;E-mail;Cidade\r\n\
         \"Silva; Ana\";(11) 98765-4321;ANA@EXAMPLE.COM;São Paulo\r\n\
         \"João \"\"Jota\"\" Souza\";+55 21 99876-5432;;\"Rio\nde Janeiro\"\r\n\
         ;;;\r\n\
         Zé;5531988887777;ze@example.com;\r\n"
            .as_bytes(),
    );
    let report = import_done(&app, &admin, file, &[]).await;
    assert_eq!(counts(&report), [3, 0, 0, 0, 3], "{report}");
    assert_eq!(report["errors"], json!([]));
    assert_eq!(report["file_name"], "contatos.csv");

    let ana = contact(&app, &admin, "5511987654321").await.expect("Ana");
    assert_eq!((ana["name"].as_str(), ana["email"].as_str()), (Some("Silva; Ana"), Some("ana@example.com")));
    assert_eq!(ana["extra"], json!({"Cidade": "São Paulo"}));
    let joao = contact(&app, &admin, "5521998765432").await.expect("João");
    assert_eq!(joao["name"], "João \"Jota\" Souza");
    assert_eq!(joao["extra"], json!({"Cidade": "Rio\nde Janeiro"}));
    assert_eq!(joao["email"], Value::Null);
    let ze = contact(&app, &admin, "5531988887777").await.expect("Zé");
    assert_eq!(ze["extra"], json!({}), "an empty cell adds no extra field");
    // The uploaded file is gone once the job is over.
    let dir = app.state.config.data_dir.join("imports");
    assert_eq!(walk(&dir), Vec::<std::path::PathBuf>::new());
}

#[tokio::test]
async fn latin1_with_commas_and_an_explicit_mapping() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    // Windows-1252 as Excel writes it: ã, ç, é and the euro sign (0x80); no BOM.
    let file = b"Celular,Observa\xe7\xe3o,Apelido,Ignorar\r\n\
        11 97777-0001,\"Cliente desde 2019, VIP \x80\",Jo\xe3o,x\r\n\
        11 97777-0002,,Ot\xe1vio,y\r\n"
        .to_vec();
    let mapping = r#"["number", "extra", "name", "ignore"]"#;
    let report = import_done(&app, &admin, file, &[("mapping", mapping)]).await;
    assert_eq!(counts(&report), [2, 0, 0, 0, 2], "{report}");
    let joao = contact(&app, &admin, "5511977770001").await.expect("João");
    assert_eq!(joao["name"], "João");
    assert_eq!(joao["extra"], json!({"Observação": "Cliente desde 2019, VIP €"}));
    let otavio = contact(&app, &admin, "5511977770002").await.expect("Otávio");
    assert_eq!((otavio["name"].as_str(), &otavio["extra"]), (Some("Otávio"), &json!({})));
}

#[tokio::test]
async fn invalid_rows_and_repeated_numbers_are_rejected_with_their_row_and_reason() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let file = "nome,telefone,email\n\
        Ana,11 98765-4321,ana@example.com\n\
        Bia,12345,\n\
        Caio,,\n\
        Grupo,120363012345678901@g.us,\n\
        Duda,11 98765-0000,não-é-email\n\
        Ana de novo,+55 11 98765-4321,\n\
        Eva,21 99999-1111,\n"
        .as_bytes()
        .to_vec();
    let report = import_done(&app, &admin, file, &[]).await;
    assert_eq!(counts(&report), [2, 0, 0, 5, 7], "{report}");
    let errors: Vec<(u64, &str, &str)> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap_or_default(),
                e["field"].as_str().unwrap_or_default(),
                e["problem"]["code"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            (3, "number", "not_phone"),
            (4, "number", "required"),
            (5, "number", "group_not_phone"),
            (6, "email", "not_email"),
            (7, "number", "duplicate_in_file"),
        ]
    );
    assert_eq!(report["errors"][4]["problem"]["row"], 2, "the duplicate names the row it repeats");
    assert!(report["errors"][0]["problem"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(contact(&app, &admin, "5511987654321").await.expect("Ana")["name"], "Ana", "the first row wins");
}

#[tokio::test]
async fn existing_contacts_are_skipped_or_updated_as_asked() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (status, created) = app
        .post(
            "/api/v1/contacts",
            &admin,
            json!({"name": "Ana Antiga", "number": "11987654321", "email": "velho@example.com", "extra": {"plano": "básico", "cpf": "1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let file =
        || "Nome;Número;E-mail;plano\nAna Nova;+55 (11) 98765-4321;;ouro\nNovo;11 91234-5678;;\n".as_bytes().to_vec();

    // Skip (the default): the contact stays as it was.
    let report = import_done(&app, &admin, file(), &[("existing", "skip")]).await;
    assert_eq!(counts(&report), [1, 0, 1, 0, 2], "{report}");
    let ana = contact(&app, &admin, "5511987654321").await.expect("Ana");
    assert_eq!(ana["name"], "Ana Antiga");
    assert_eq!(ana["extra"], json!({"plano": "básico", "cpf": "1"}));

    // Update: the name and the extra field from the file; the empty e-mail cell keeps the e-mail.
    let report = import_done(&app, &admin, file(), &[("existing", "update")]).await;
    assert_eq!(counts(&report), [0, 2, 0, 0, 2], "{report}");
    let ana = contact(&app, &admin, "5511987654321").await.expect("Ana");
    assert_eq!((ana["id"].clone(), ana["name"].as_str()), (created["id"].clone(), Some("Ana Nova")));
    assert_eq!(ana["email"], "velho@example.com");
    assert_eq!(ana["extra"], json!({"plano": "ouro", "cpf": "1"}));
    assert_eq!(all_contacts(&app, &admin).await.len(), 2, "nothing duplicated");
}

#[tokio::test]
async fn bad_files_and_mappings_are_refused_before_any_job() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (status, body) = import(&app, &admin, Vec::new(), &[]).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["file"]["code"], "empty_file");
    let (status, body) = import(&app, &admin, b"\x89PNG\r\n\x1a\n\x00\x00".to_vec(), &[]).await;
    assert_eq!(body["error"]["details"]["file"]["code"], "not_csv", "{status} {body}");
    // No column looks like a number, and none is mapped to it.
    let (status, body) = import(&app, &admin, b"nome;cidade\nAna;Rio\n".to_vec(), &[]).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["mapping"]["code"], "bad_mapping");
    let (status, body) = import(&app, &admin, b"a;b\n1;2\n".to_vec(), &[("mapping", r#"["number","number"]"#)]).await;
    assert_eq!(body["error"]["details"]["mapping"]["code"], "bad_mapping", "{status}");
    let (status, body) = import(&app, &admin, b"a;b\n1;2\n".to_vec(), &[("mapping", "not json")]).await;
    assert_eq!(body["error"]["details"]["mapping"]["code"], "malformed", "{status}");
    let (status, body) = import(&app, &admin, b"tel\n1\n".to_vec(), &[("existing", "merge")]).await;
    assert_eq!(body["error"]["details"]["existing"]["code"], "malformed", "{status}");
    // No file at all.
    let form = reqwest::multipart::Form::new().text("existing", "skip");
    let response = app
        .client
        .post(app.url("/api/v1/contacts/import"))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let (status, body) = read(response).await;
    assert_eq!(body["error"]["details"]["file"]["code"], "file_required", "{status}");
    // Over 50 MB: 413 in the usual error, and nothing left on disk.
    let big = vec![b'1'; 50 * 1024 * 1024 + 10];
    let (status, body) = import(&app, &admin, big, &[]).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(walk(&app.state.config.data_dir.join("imports")), Vec::<std::path::PathBuf>::new());
}

#[tokio::test]
async fn the_preview_reads_the_start_of_a_file() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let mut file = "Nome;Telefone;Cidade\n".to_owned();
    for i in 0..50 {
        file.push_str(&format!("Cliente {i};11 9800{i:05};São Paulo\n"));
    }
    // The page sends a slice: here cut in the middle of "ã" of a later row.
    let cut = file.find("Cliente 30;11 980000030;S").expect("row") + "Cliente 30;11 980000030;S".len() + 1;
    let slice = file.as_bytes()[..cut].to_vec();
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(slice).file_name("c.csv"))
        .text("truncated", "true");
    let response = app
        .client
        .post(app.url("/api/v1/contacts/import/preview"))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let (status, preview) = read(response).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["encoding"], "utf-8");
    assert_eq!(preview["delimiter"], ";");
    assert_eq!(preview["header"], json!(["Nome", "Telefone", "Cidade"]));
    assert_eq!(preview["mapping"], json!(["name", "number", "extra"]));
    assert_eq!(preview["rows"].as_array().map(Vec::len), Some(10));
    assert_eq!(preview["rows"][0], json!(["Cliente 0", "11 980000000", "São Paulo"]));
    // Latin-1 is named as such.
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"nome,fone\nJo\xe3o,1199999999\n".to_vec()).file_name("c.csv"));
    let response = app
        .client
        .post(app.url("/api/v1/contacts/import/preview"))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let (_, preview) = read(response).await;
    assert_eq!((preview["encoding"].as_str(), preview["delimiter"].as_str()), (Some("windows-1252"), Some(",")));
    assert_eq!(preview["rows"][0][0], "João");
}

#[tokio::test]
async fn only_staff_import_and_export_and_jobs_stay_in_their_company() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let olga = second_company(&app, &admin).await;
    let (_, agent) = app.user(&admin, "agente@test.local", "agent", &[]).await;
    let (_, supervisor) = app.user(&admin, "super@test.local", "supervisor", &[]).await;
    let file = || b"nome;telefone\nAna;11 98765-4321\n".to_vec();

    let (status, body) = import(&app, &agent, file(), &[]).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app.get("/api/v1/contacts/export", &agent).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(file()).file_name("c.csv"));
    let response = app
        .client
        .post(app.url("/api/v1/contacts/import/preview"))
        .bearer_auth(&agent)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(walk(&app.state.config.data_dir.join("imports")), Vec::<std::path::PathBuf>::new());

    // The other company's admin listens: our job's events never reach them.
    let mut theirs = EventStream::connect(&app.ws_url(&olga, None)).await;
    let mut ours = EventStream::connect(&app.ws_url(&supervisor, None)).await;
    let report = import_done(&app, &supervisor, file(), &[]).await;
    assert_eq!(counts(&report), [1, 0, 0, 0, 1]);
    let id = report["id"].as_i64().expect("id");
    let seen = ours.until("import.progress").await;
    assert_eq!(seen.last().map(|e| e["data"]["id"].as_i64()), Some(Some(id)));

    // Another company: 404 for our job, and its import creates only its own contacts.
    let (status, body) = app.get(&format!("/api/v1/contacts/imports/{id}"), &olga).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app.get(&format!("/api/v1/contacts/imports/{id}"), &agent).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, _) = app.get(&format!("/api/v1/contacts/imports/{id}"), &admin).await;
    assert_eq!(status, StatusCode::OK, "admins see the company's jobs");
    assert!(contact(&app, &olga, "5511987654321").await.is_none());
    let report = import_done(&app, &olga, file(), &[]).await;
    assert_eq!(counts(&report), [1, 0, 0, 0, 1], "the same number is new in another company");
    let first = theirs.next().await;
    assert_eq!(first["type"], "import.progress");
    assert_eq!(first["data"]["id"], report["id"], "the first event Olga gets is her own job's: {first}");
    let (_, exported) = app.get("/api/v1/contacts/export", &olga).await;
    let text = exported.as_str().expect("csv");
    assert_eq!(text.matches("98765-4321").count(), 1, "{text}");
}

fn big_file(rows: usize) -> Vec<u8> {
    let mut file = String::with_capacity(rows * 40);
    file.push_str("Nome;Celular;Email\r\n");
    for i in 0..rows {
        // Every 1000th row has a number no phone can have.
        if i % 1000 == 999 {
            file.push_str(&format!("Cliente {i};123;\r\n"));
        } else {
            file.push_str(&format!("Cliente {i};11 98{i:07};c{i}@example.com\r\n"));
        }
    }
    file.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100k_row_import_runs_in_the_background_while_other_requests_are_answered() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let mut events = EventStream::connect(&app.ws_url(&admin, None)).await;
    let (status, job) = import(&app, &admin, big_file(100_000), &[]).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!((job["total"].as_u64(), job["processed"].as_u64()), (Some(100_000), Some(0)));
    let id = job["id"].as_i64().expect("id");

    // Wait until it has written some batches, but not half of the file.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, job) = app.get(&format!("/api/v1/contacts/imports/{id}"), &admin).await;
        assert_eq!(job["status"], "running", "{job}");
        if job["processed"].as_u64().unwrap_or_default() > 0 {
            assert!(job["processed"].as_u64() < Some(50_000), "the job ran too far to observe: {job}");
            break;
        }
        assert!(Instant::now() < deadline, "no progress: {job}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Other requests are answered meanwhile, a read and a write…
    let (status, tickets) = app.get("/api/v1/tickets", &admin).await;
    assert_eq!(status, StatusCode::OK, "{tickets}");
    let (status, created) =
        app.post("/api/v1/contacts", &admin, json!({"name": "Durante", "number": "21 97777-1234"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    // …while the job is still running.
    let (_, during) = app.get(&format!("/api/v1/contacts/imports/{id}"), &admin).await;
    assert_eq!(during["status"], "running", "{during}");
    assert!(during["processed"].as_u64() < Some(100_000), "{during}");

    // Progress arrives live, rising, and the job ends with its report.
    let mut last = 0;
    loop {
        let event = events.next_within(Duration::from_secs(300)).await.expect("progress events");
        if event["type"] != "import.progress" {
            continue;
        }
        let processed = event["data"]["processed"].as_u64().unwrap_or_default();
        assert!(processed >= last, "progress never goes back: {event}");
        last = processed;
        if event["data"]["status"] != "running" {
            assert_eq!(event["data"]["status"], "done", "{event}");
            break;
        }
    }
    let report = finished(&app, &admin, id).await;
    assert_eq!(counts(&report), [99_900, 0, 0, 100, 100_000], "{}", report["error"]);
    assert_eq!(report["processed"], 100_000);
    assert_eq!(report["errors"].as_array().map(Vec::len), Some(100), "the list is bounded");
    assert_eq!(report["errors"][0]["row"], 1001, "the header is row 1");
    assert!(report["finished_at"].is_string());
    let last_row = contact(&app, &admin, "5511980099998").await.expect("the last valid row");
    assert_eq!(last_row["name"], "Cliente 99998");
    assert_eq!(walk(&app.state.config.data_dir.join("imports")), Vec::<std::path::PathBuf>::new());

    // The export streams them all back: a header and one line per contact.
    let response = app.client.get(app.url("/api/v1/contacts/export")).bearer_auth(&admin).send().await.expect("export");
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("csv");
    assert_eq!(text.lines().count(), 1 + 99_900 + 1, "the import's contacts and the one made meanwhile");
    assert!(text.contains("\r\nCliente 99998;(+55) 11 98009-9998;c99998@example.com\r\n"));
}

#[tokio::test]
async fn a_job_whose_server_stopped_ends_interrupted() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (status, job) = import(&app, &admin, big_file(30_000), &[]).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_i64().expect("id");
    // As another instance's sweeper sees a job its dead server no longer touches (here: at once).
    let swept = atende::domain::contacts_io::sweep_stale(&app.state, Duration::ZERO).await.expect("sweep");
    assert_eq!(swept, 1);
    let report = finished(&app, &admin, id).await;
    assert_eq!(report["status"], "interrupted", "{report}");
    assert!(report["error"].as_str().is_some_and(|e| !e.is_empty()), "{report}");
    assert!(report["processed"].as_u64() < Some(30_000), "{report}");
    assert!(report["finished_at"].is_string());
    // Its file goes, and the job stops writing (the conditional progress update refuses).
    let deadline = Instant::now() + Duration::from_secs(30);
    while !walk(&app.state.config.data_dir.join("imports")).is_empty() {
        assert!(Instant::now() < deadline, "the interrupted job's file stayed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, again) = app.get(&format!("/api/v1/contacts/imports/{id}"), &admin).await;
    assert_eq!(again["status"], "interrupted");

    // A server shutting down marks its own running jobs the same way.
    let other = app.another_instance().await;
    // (Starting it reset the admin, which ended the admin's sessions.)
    let admin = app.admin().await;
    let (status, job) = import(&app, &admin, big_file(100_000), &[]).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let dir = app.shut_down().await;
    let other_admin = other.admin().await;
    let report = finished(&other, &other_admin, job["id"].as_i64().expect("id")).await;
    assert_eq!(report["status"], "interrupted", "{report}");
    drop(dir);
}

#[tokio::test]
async fn export_then_import_into_another_company_gives_the_same_contacts() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let olga = second_company(&app, &admin).await;
    let people = [
        json!({"name": "Ana; Silva", "number": "11 98765-4321", "email": "ana@example.com", "extra": {"cidade": "São Paulo", "plano": "ouro"}}),
        json!({"name": "=1+1 \"quoted\"", "number": "+1 650-253-0000", "extra": {"nota": "linha 1\nlinha 2"}}),
        json!({"name": "Zé", "number": "21 3333-4444", "extra": {"plano": "-prata"}}),
        json!({"name": "Fora do filtro", "number": "31 99999-0000"}),
    ];
    for person in &people {
        let (status, body) = app.post("/api/v1/contacts", &admin, person.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // Everything, then a filtered export.
    let response = app.client.get(app.url("/api/v1/contacts/export")).bearer_auth(&admin).send().await.expect("export");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(response.headers()["content-disposition"].to_str().is_ok_and(|v| v.starts_with("attachment")));
    let bytes = response.bytes().await.expect("body").to_vec();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBFNome;N\xC3\xBAmero;E-mail;cidade;plano;nota\r\n"),
        "{:?}",
        String::from_utf8_lossy(&bytes)
    );
    let text = String::from_utf8(bytes.clone()).expect("UTF-8");
    assert!(text.contains("\"Ana; Silva\";(+55) 11 98765-4321;ana@example.com;São Paulo;ouro;\r\n"), "{text}");
    assert!(text.contains("'=1+1"), "formula-like cells are protected: {text}");
    assert_eq!(text.lines().count(), 1 + 4 + 1, "a header, four contacts, one quoted line break: {text}");

    let response =
        app.client.get(app.url("/api/v1/contacts/export?q=silva")).bearer_auth(&admin).send().await.expect("export");
    let filtered = response.text().await.expect("text");
    assert!(filtered.contains("Ana; Silva") && !filtered.contains("Fora do filtro"), "{filtered}");
    assert_eq!(filtered.lines().count(), 2, "{filtered}");

    let report = import_done(&app, &olga, bytes, &[]).await;
    assert_eq!(counts(&report), [4, 0, 0, 0, 4], "{report}");
    let key = |c: &Value| (c["name"].clone(), c["number"].clone(), c["email"].clone(), c["extra"].clone());
    let mut ours: Vec<_> = all_contacts(&app, &admin).await.iter().map(key).collect();
    let mut theirs: Vec<_> = all_contacts(&app, &olga).await.iter().map(key).collect();
    ours.sort_by_key(|k| k.1.to_string());
    theirs.sort_by_key(|k| k.1.to_string());
    assert_eq!(ours, theirs);
}
