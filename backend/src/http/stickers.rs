use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use shared::stickers::{Sticker, StickerFromMessage, UpdateSticker};
use shared::{ErrorBody, Page, StickerId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::tickets::multipart_error;
use super::{AppJson, AppPath, AppQuery, Created, PageQuery};
use crate::auth::CurrentUser;
use crate::domain;
use crate::domain::stickers::Upload;
use crate::error::{AppResult, FieldErrors};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_stickers, create_sticker))
        .routes(routes!(get_sticker, update_sticker, delete_sticker))
        .routes(routes!(sticker_file))
}

/// The company's sticker library, by id (any signed-in user: the composer's picker).
#[utoipa::path(get, path = "/api/v1/stickers", tag = "stickers", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Sticker>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_stickers(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(query): AppQuery<PageQuery>,
) -> AppResult<AppJson<Page<Sticker>>> {
    domain::stickers::list(&state, &caller, query.request()?).await.map(AppJson)
}

/// Multipart form of `POST /stickers`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct StickerUpload {
    /// A WebP image of 512×512 pixels: at most 100 KB, or 500 KB when animated.
    #[schema(format = Binary, content_media_type = "image/webp")]
    file: String,
    /// Defaults to the file's name.
    name: Option<String>,
}

/// Add a sticker (admin): a multipart WebP upload, or JSON `{message_id, name?}` to keep the
/// sticker of a customer's message (a copy of its file).
#[utoipa::path(post, path = "/api/v1/stickers", tag = "stickers",
    request_body(content(
        (StickerUpload = "multipart/form-data"),
        (StickerFromMessage = "application/json"),
    )),
    security(("bearer" = [])),
    responses((status = 201, body = Sticker), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_sticker(
    State(state): State<AppState>,
    caller: CurrentUser,
    request: Request,
) -> AppResult<Created<Sticker>> {
    if !super::is_multipart(&request) {
        let AppJson(from) = AppJson::<StickerFromMessage>::from_request(request, &state).await?;
        return domain::stickers::save_from_message(&state, &caller, from).await.map(Created);
    }
    // Refused before the body is read: only administrators change the library.
    caller.require_admin()?;
    let mut form = Multipart::from_request(request, &state).await.map_err(multipart_error)?;
    let (mut name, mut file) = (None, None);
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let file_name = field.file_name().map(str::to_owned);
                file = Some((field.bytes().await.map_err(multipart_error)?.to_vec(), file_name));
            }
            "name" => name = Some(field.text().await.map_err(multipart_error)?),
            _ => {}
        }
    }
    let Some((bytes, file_name)) = file else {
        return Err(FieldErrors::one("file", shared::validate::Invalid::FileRequired));
    };
    domain::stickers::create(&state, &caller, Upload { bytes, file_name, name }).await.map(Created)
}

#[utoipa::path(get, path = "/api/v1/stickers/{id}", tag = "stickers", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Sticker), (status = 404, body = ErrorBody)))]
async fn get_sticker(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<StickerId>,
) -> AppResult<AppJson<Sticker>> {
    domain::stickers::get(&state, &caller, id).await.map(AppJson)
}

/// Rename a sticker (admin).
#[utoipa::path(patch, path = "/api/v1/stickers/{id}", tag = "stickers", params(("id" = i64, Path)), request_body = UpdateSticker,
    security(("bearer" = [])),
    responses((status = 200, body = Sticker), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_sticker(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<StickerId>,
    AppJson(change): AppJson<UpdateSticker>,
) -> AppResult<AppJson<Sticker>> {
    domain::stickers::update(&state, &caller, id, change).await.map(AppJson)
}

/// Delete a sticker and its file (admin). Messages that sent it keep their own copy.
#[utoipa::path(delete, path = "/api/v1/stickers/{id}", tag = "stickers", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_sticker(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<StickerId>,
) -> AppResult<StatusCode> {
    domain::stickers::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The sticker's image (`image/webp`, inline, never sniffed by the browser).
#[utoipa::path(get, path = "/api/v1/stickers/{id}/file", tag = "stickers", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, description = "the WebP image", content_type = "image/webp"), (status = 404, body = ErrorBody)))]
async fn sticker_file(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<StickerId>,
) -> AppResult<Response> {
    let (path, name) = domain::stickers::file_of(&state, &caller, id).await?;
    super::download::serve(&state, &path, "image/webp", &name, "sticker").await
}
