//! The JSON API under `/api`. Each handler carries its OpenAPI description
//! (`#[utoipa::path]`); [`router`] registers handlers and descriptions
//! together, so `/openapi.json` lists exactly the routes that exist.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use newsdesk_sources::{DocKind, RawDoc, SourceOptions};
use newsdesk_store::{EntityKind, FollowSpec, QuoteQuery, SearchQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};
use crate::input::{check_date_time, check_http_url, check_not_blank};
use crate::text::{check_id, parse_date, safe_href, window, Window};
use crate::{App, IngestReport};

#[derive(OpenApi)]
#[openapi(
    info(title = "newsdesk API", description = "Search, quotes, entities, stories and follows over a newsdesk store. Errors are always `{\"error\": {\"code\", \"message\"}}`."),
    tags(
        (name = "articles", description = "Stored articles with revisions and syndicated copies"),
        (name = "search", description = "Full-text search"),
        (name = "quotes", description = "Who said what"),
        (name = "entities", description = "People, organisations and places"),
        (name = "stories", description = "Articles clustered into stories"),
        (name = "follows", description = "Followed queries, speakers and entities"),
        (name = "ingest", description = "Adding pages to the store"),
    )
)]
struct ApiDoc;

/// The API routes with their OpenAPI descriptions.
pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(list_articles))
        .routes(routes!(get_article))
        .routes(routes!(search))
        .routes(routes!(quotes))
        .routes(routes!(entities))
        .routes(routes!(list_stories))
        .routes(routes!(get_story))
        .routes(routes!(list_follows, create_follow))
        .routes(routes!(get_follow, delete_follow))
        .routes(routes!(ingest))
        .routes(routes!(stats))
}

/// One page of a list. `items` hold the objects the route describes.
/// Results are served up to the 1000th: the part of a page past it is
/// left out, so pages wholly past it are empty.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Page {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
    pub page: u64,
    pub per_page: u64,
    /// Whether a next page has items.
    pub has_more: bool,
    /// Whether results go on past the 1000th, which no page shows: narrow
    /// the query to see them. Only pages that reach that far tell.
    pub truncated: bool,
}

/// The page `w` of `rows` (fetched with [`Window::fetch`]).
fn page_of<T: Serialize>(rows: Vec<T>, w: Window) -> Result<Page, ApiError> {
    let shown = w.show(rows);
    let items = shown
        .rows
        .into_iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::internal(format!("encoding a response: {e}")))?;
    Ok(Page { items, page: w.page, per_page: w.per as u64, has_more: shown.has_more, truncated: shown.truncated })
}

/// Filters shared by article lists and search.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filters {
    /// Site (outlet name or host), exact.
    pub site: Option<String>,
    /// ISO 639-1 language code.
    pub lang: Option<String>,
    /// Published at or after (the schema says how it is written).
    #[param(schema_with = crate::input::since_schema)]
    pub since: Option<String>,
    /// Published before.
    #[param(schema_with = crate::input::until_schema)]
    pub until: Option<String>,
    /// Quoted speaker: full name or one of its words.
    pub speaker: Option<String>,
    /// Mentioned entity: full name or one of its words.
    pub entity: Option<String>,
    /// Page number, 1 to 1000. Results are served up to the 1000th: a
    /// page past that is empty, and `truncated` says whether more exist.
    #[param(minimum = 1, maximum = 1000)]
    pub page: Option<u64>,
    /// Results per page (1 to 100, default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

impl Filters {
    /// The store query for `text` and the page of its results to show
    /// (the query fetches one more than the page needs, so `has_more` is
    /// known).
    pub fn query(&self, text: &str) -> Result<(SearchQuery, Window), ApiError> {
        let w = window(self.page, self.per_page, 20)?;
        let q = SearchQuery {
            text: text.to_string(),
            since: parse_date("since", self.since.as_deref())?,
            until: parse_date("until", self.until.as_deref())?,
            site: nonempty(&self.site),
            lang: nonempty(&self.lang),
            speaker: nonempty(&self.speaker),
            entity: nonempty(&self.entity),
            limit: w.fetch(),
        };
        Ok((q, w))
    }
}

/// Articles, newest stored first, one per syndication group, filtered.
///
/// Items are search hits without a snippet ranking: `id`, `headline`,
/// `url`, `site`, `published`, `group`, `copies`.
#[utoipa::path(get, path = "/api/articles", tag = "articles", params(Filters),
    responses((status = 200, description = "A page of articles", body = Page), (status = 400, body = ErrorBody)))]
async fn list_articles(State(app): State<Arc<App>>, ApiQuery(f): ApiQuery<Filters>) -> Result<Json<Page>, ApiError> {
    let (q, w) = f.query("")?;
    let hits = app.with_reader(move |_, s| Ok(s.search(&q)?)).await?;
    Ok(Json(page_of(hits, w)?))
}

/// One article: the latest revision's fields, every revision with its
/// paragraph diff, and its syndication group.
#[utoipa::path(get, path = "/api/articles/{id}", tag = "articles",
    params(("id" = String, Path, description = "16-digit hex id, or a unique prefix", pattern = "^[0-9a-fA-F]{4,16}$")),
    responses((status = 200, description = "The article", body = Object), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_article(State(app): State<Arc<App>>, ApiPath(id): ApiPath<String>) -> Result<Response, ApiError> {
    check_id(&id)?;
    let id2 = id.clone();
    let view = app.with_reader(move |_, s| Ok(s.show(&id2)?)).await?;
    match view {
        Some(v) => Ok(Json(v).into_response()),
        None => Err(ApiError::not_found(format!("no article {id}"))),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchText {
    /// Words (all required), `"phrases"`, `AND`/`OR`/`NOT`, `-word`,
    /// `headline:word`. Empty matches everything. Any text is a query: what
    /// the syntax cannot read (an unclosed quote, an unknown field) is
    /// searched for the words it can. Refused (400, `bad_query`) only over the
    /// bounds every store applies before parsing: 4,096 bytes, parentheses 16
    /// deep, 128 operators, 8 `NOT`/`+`/`-` in a row.
    pub q: Option<String>,
}

/// Full-text search, best first, one hit per syndication group. Items:
/// `id`, `score`, `headline`, `url`, `site`, `language`, `published`, `snippet` (matched
/// words marked `**like this**`), `group`, `copies`.
#[utoipa::path(get, path = "/api/search", tag = "search", params(SearchText, Filters),
    responses((status = 200, description = "A page of hits", body = Page), (status = 400, description = "Bad parameters", body = ErrorBody)))]
async fn search(
    State(app): State<Arc<App>>,
    ApiQuery(t): ApiQuery<SearchText>,
    ApiQuery(f): ApiQuery<Filters>,
) -> Result<Json<Page>, ApiError> {
    let (q, w) = f.query(t.q.as_deref().unwrap_or(""))?;
    let hits = app.with_reader(move |_, s| Ok(s.search(&q)?)).await?;
    Ok(Json(page_of(hits, w)?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuoteParams {
    /// Speaker: full name or one of its words.
    pub speaker: Option<String>,
    /// Words that must all occur in the quote.
    pub q: Option<String>,
    /// Page number, 1 to 1000. Results are served up to the 1000th: a
    /// page past that is empty, and `truncated` says whether more exist.
    #[param(minimum = 1, maximum = 1000)]
    pub page: Option<u64>,
    /// Results per page (1 to 100, default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

/// Quotes, newest first, once per syndicated text. Items: `article`,
/// `speaker`, `role`, `kind`, `text`, `cue`, `headline`, `published`, `url`.
#[utoipa::path(get, path = "/api/quotes", tag = "quotes", params(QuoteParams),
    responses((status = 200, description = "A page of quotes", body = Page), (status = 400, body = ErrorBody)))]
async fn quotes(State(app): State<Arc<App>>, ApiQuery(p): ApiQuery<QuoteParams>) -> Result<Json<Page>, ApiError> {
    let w = window(p.page, p.per_page, 20)?;
    let q = QuoteQuery { speaker: nonempty(&p.speaker), text: nonempty(&p.q), limit: w.fetch() };
    let rows = app.with_reader(move |_, s| Ok(s.quotes(&q)?)).await?;
    Ok(Json(page_of(rows, w)?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntityParams {
    /// Which kind of entity.
    #[param(schema_with = crate::input::entity_kind_schema)]
    pub kind: Option<String>,
    /// How many (1 to 500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
}

/// The entity kind a `kind` parameter names: exactly the words of
/// [`crate::input::ENTITY_KIND`], which the document states.
pub fn entity_kind(k: Option<&str>) -> Result<Option<EntityKind>, ApiError> {
    match k {
        None | Some("") => Ok(None),
        Some("person") => Ok(Some(EntityKind::Person)),
        Some("organization") | Some("organisation") => Ok(Some(EntityKind::Organization)),
        Some("place") => Ok(Some(EntityKind::Place)),
        Some(other) => Err(ApiError::bad_request(format!("kind must be person, organization or place, not {other:?}"))),
    }
}

/// Entities by number of articles mentioning them. Items: `name`, `kind`,
/// `articles`, `mentions`.
#[utoipa::path(get, path = "/api/entities", tag = "entities", params(EntityParams),
    responses((status = 200, description = "Entities", body = Vec<Object>), (status = 400, body = ErrorBody)))]
async fn entities(State(app): State<Arc<App>>, ApiQuery(p): ApiQuery<EntityParams>) -> Result<Response, ApiError> {
    let kind = entity_kind(p.kind.as_deref())?;
    let limit = p.limit.unwrap_or(50);
    if limit == 0 || limit > 500 {
        return Err(ApiError::bad_request("limit must be between 1 and 500"));
    }
    let rows = app.with_reader(move |_, s| Ok(s.entities(kind, limit as usize)?)).await?;
    Ok(Json(rows).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, 1 to 1000. Results are served up to the 1000th: a
    /// page past that is empty, and `truncated` says whether more exist.
    #[param(minimum = 1, maximum = 1000)]
    pub page: Option<u64>,
    /// Results per page (1 to 100, default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

/// Stories, latest first. Items: `id`, `headline`, `first_published`,
/// `last_published`, `articles` (briefs).
#[utoipa::path(get, path = "/api/stories", tag = "stories", params(PageParams),
    responses((status = 200, description = "A page of stories", body = Page), (status = 400, body = ErrorBody)))]
async fn list_stories(State(app): State<Arc<App>>, ApiQuery(p): ApiQuery<PageParams>) -> Result<Json<Page>, ApiError> {
    let w = window(p.page, p.per_page, 20)?;
    let rows = app.with_reader(move |_, s| Ok(s.stories(w.fetch())?)).await?;
    Ok(Json(page_of(rows, w)?))
}

/// One story with its articles in time order.
#[utoipa::path(get, path = "/api/stories/{id}", tag = "stories",
    params(("id" = String, Path, description = "16-digit hex story id", pattern = "^[0-9a-fA-F]{16}$")),
    responses((status = 200, description = "The story", body = Object), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_story(State(app): State<Arc<App>>, ApiPath(id): ApiPath<String>) -> Result<Response, ApiError> {
    // `Id::parse` alone would take a sign; the document says hex digits.
    let sid = Some(&id)
        .filter(|id| id.bytes().all(|b| b.is_ascii_hexdigit()))
        .and_then(|id| newsdesk_store::Id::parse(id))
        .ok_or_else(|| ApiError::bad_request(format!("not a story id: {id:?} (expected 16 hex digits)")))?;
    match app.with_reader(move |_, s| Ok(s.story(sid)?)).await? {
        Some(row) => Ok(Json(row).into_response()),
        None => Err(ApiError::not_found(format!("no story {id}"))),
    }
}

/// A follow as the API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FollowOut {
    pub name: String,
    /// `query`, `speaker` or `entity`.
    pub kind: String,
    pub value: String,
    /// Matches not yet delivered by webhook or `newsdesk follow check`.
    pub pending: u64,
    pub webhook: Option<String>,
    /// The follow's Atom feed (path on this server).
    pub feed: String,
}

pub fn spec_parts(spec: &FollowSpec) -> (&'static str, &str) {
    match spec {
        FollowSpec::Query(v) => ("query", v),
        FollowSpec::Speaker(v) => ("speaker", v),
        FollowSpec::Entity(v) => ("entity", v),
    }
}

fn follow_out(app: &App, f: newsdesk_store::Follow) -> FollowOut {
    let (kind, value) = spec_parts(&f.spec);
    FollowOut {
        feed: format!("/follows/{}/feed.atom", crate::text::seg(&f.name)),
        webhook: app.hooks.get(&f.name),
        kind: kind.to_string(),
        value: value.to_string(),
        pending: f.pending,
        name: f.name,
    }
}

/// Every follow, by name.
#[utoipa::path(get, path = "/api/follows", tag = "follows",
    responses((status = 200, description = "Follows", body = Vec<FollowOut>)))]
async fn list_follows(State(app): State<Arc<App>>) -> Result<Json<Vec<FollowOut>>, ApiError> {
    let list = app.with_reader(|app, s| Ok(s.follow_list()?.into_iter().map(|f| follow_out(app, f)).collect())).await?;
    Ok(Json(list))
}

/// A new follow. Unknown fields are refused, so a misspelt `webhook` is
/// an error rather than a follow without one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFollow {
    /// Unique name, not blank.
    #[schema(schema_with = crate::input::follow_name_schema)]
    pub name: String,
    #[schema(schema_with = crate::input::follow_kind_schema)]
    pub kind: String,
    /// Not blank.
    #[schema(schema_with = crate::input::follow_value_schema)]
    pub value: String,
    #[schema(schema_with = crate::input::webhook_schema)]
    pub webhook: Option<String>,
}

/// Checks a follow request and turns it into a store spec. `kind` must be
/// exactly one of the words of [`crate::input::FOLLOW_KIND`], `value` not
/// blank, and `webhook` (when given) an [`crate::input::HTTP_URL`]: what
/// the document states, nothing looser (the UI's form trims and drops an
/// empty webhook before calling this).
pub fn follow_spec(kind: &str, value: &str, webhook: Option<&str>) -> Result<(FollowSpec, Option<String>), ApiError> {
    check_not_blank("value", value)?;
    let value = value.trim().to_string();
    let spec = match kind {
        "query" => FollowSpec::Query(value),
        "speaker" => FollowSpec::Speaker(value),
        "entity" => FollowSpec::Entity(value),
        other => return Err(ApiError::bad_request(format!("kind must be query, speaker or entity, not {other:?}"))),
    };
    let hook = match webhook {
        None => None,
        Some(w) => {
            check_http_url("webhook", w)?;
            Some(safe_href(w).ok_or_else(|| ApiError::bad_request("webhook must be an http or https URL"))?)
        }
    };
    Ok((spec, hook))
}

/// Holds a webhook to the address policy of page fetches (resolving its host, on the blocking pool): a follow
/// must not make the server POST to its own network. Delivery checks again at each connection.
pub(crate) async fn check_webhook(app: &App, hook: Option<&str>) -> Result<(), ApiError> {
    let Some(hook) = hook.map(str::to_string) else { return Ok(()) };
    let allow = app.config.allow_private;
    tokio::task::spawn_blocking(move || newsdesk_sources::check_target(&hook, allow))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::bad_request(format!("webhook refused: {e}")))
}

/// Adds a follow. It matches articles ingested from now on.
#[utoipa::path(post, path = "/api/follows", tag = "follows", request_body = NewFollow,
    responses((status = 201, description = "Created", body = FollowOut), (status = 400, body = ErrorBody), (status = 409, description = "The name exists", body = ErrorBody),
        (status = 415, description = "Not a JSON body", body = ErrorBody)))]
async fn create_follow(State(app): State<Arc<App>>, ApiJson(req): ApiJson<NewFollow>) -> Result<Response, ApiError> {
    check_not_blank("name", &req.name)?;
    let (spec, hook) = follow_spec(&req.kind, &req.value, req.webhook.as_deref())?;
    check_webhook(&app, hook.as_deref()).await?;
    let name = req.name;
    let out = app
        .with_store(move |app, s| {
            let f = s.follow_add(&name, &spec)?;
            if let Some(h) = hook {
                app.hooks.set(&f.name, Some(h));
            }
            Ok(follow_out(app, f))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// A follow with its latest matches.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FollowDetail {
    pub follow: FollowOut,
    /// Up to 50 matches, newest first (article briefs).
    #[schema(value_type = Vec<Object>)]
    pub matches: Vec<serde_json::Value>,
}

/// One follow and its latest matches (delivered or not).
#[utoipa::path(get, path = "/api/follows/{name}", tag = "follows",
    params(("name" = String, Path, description = "The follow's name")),
    responses((status = 200, description = "The follow", body = FollowDetail), (status = 404, body = ErrorBody)))]
async fn get_follow(State(app): State<Arc<App>>, ApiPath(name): ApiPath<String>) -> Result<Json<FollowDetail>, ApiError> {
    let detail = app
        .with_store(move |app, s| {
            let Some(f) = s.follow_list()?.into_iter().find(|f| f.name == name) else {
                return Err(ApiError::not_found(format!("no follow {name:?}")));
            };
            let matches = s.follow_matches(&f.name, 50)?.unwrap_or_default();
            let matches = matches
                .into_iter()
                .map(|m| serde_json::to_value(m.article))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ApiError::internal(e.to_string()))?;
            Ok(FollowDetail { follow: follow_out(app, f), matches })
        })
        .await?;
    Ok(Json(detail))
}

/// Removes a follow, its matches and its webhook.
#[utoipa::path(delete, path = "/api/follows/{name}", tag = "follows",
    params(("name" = String, Path, description = "The follow's name")),
    responses((status = 204, description = "Removed"), (status = 404, body = ErrorBody)))]
async fn delete_follow(State(app): State<Arc<App>>, ApiPath(name): ApiPath<String>) -> Result<StatusCode, ApiError> {
    let removed = app
        .with_store(move |app, s| {
            let r = s.follow_remove(&name)?;
            if r {
                app.hooks.set(&name, None);
            }
            Ok(r)
        })
        .await?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("no such follow"))
    }
}

/// Something to ingest: exactly one of an HTML page (with its address), a
/// plain-text dump of one or several articles, or a URL to fetch (only on a
/// server started with `--fetch`; the document of a server without it
/// leaves that form out). Fields are strings or absent, never `null`, and
/// no others are taken, so the three forms cannot be confused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged, try_from = "IngestFields")]
pub enum IngestRequest {
    Html(HtmlPage),
    Text(TextDump),
    Fetch(FetchUrl),
}

/// An HTML page to ingest.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HtmlPage {
    /// The page's HTML.
    pub html: String,
    #[schema(schema_with = crate::input::page_url_schema)]
    pub url: Option<String>,
    #[schema(schema_with = crate::input::fetched_at_schema)]
    pub fetched_at: Option<String>,
}

/// A plain-text dump (text copied out of a browser) to ingest.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextDump {
    /// The dump's text.
    pub text: String,
    #[schema(schema_with = crate::input::page_url_schema)]
    pub url: Option<String>,
    #[schema(schema_with = crate::input::fetched_at_schema)]
    pub fetched_at: Option<String>,
}

/// A URL for the server to fetch and ingest.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FetchUrl {
    #[schema(schema_with = crate::input::fetch_url_schema)]
    pub url: String,
    #[schema(schema_with = crate::input::fetched_at_schema)]
    pub fetched_at: Option<String>,
}

/// The body of an ingest as it arrives, before it is told apart into an
/// [`IngestRequest`]: one reading of all fields gives clearer errors than
/// trying each form in turn.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IngestFields {
    #[serde(default, deserialize_with = "string_not_null")]
    html: Option<String>,
    #[serde(default, deserialize_with = "string_not_null")]
    text: Option<String>,
    #[serde(default, deserialize_with = "string_not_null")]
    url: Option<String>,
    #[serde(default, deserialize_with = "string_not_null")]
    fetched_at: Option<String>,
}

/// A field that, when present, is a string (`null` is refused, as the
/// document's schemas say).
fn string_not_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    String::deserialize(d).map(Some)
}

impl TryFrom<IngestFields> for IngestRequest {
    type Error = &'static str;
    fn try_from(f: IngestFields) -> Result<Self, Self::Error> {
        let IngestFields { html, text, url, fetched_at } = f;
        match (html, text, url) {
            (Some(_), Some(_), _) => Err("give html or text, not both"),
            (Some(html), None, url) => Ok(IngestRequest::Html(HtmlPage { html, url, fetched_at })),
            (None, Some(text), url) => Ok(IngestRequest::Text(TextDump { text, url, fetched_at })),
            (None, None, Some(url)) => Ok(IngestRequest::Fetch(FetchUrl { url, fetched_at })),
            (None, None, None) => Err("give html, text or url"),
        }
    }
}

/// Leaves the fetch form of an ingest out of `doc`, for a server that does
/// not fetch: the document then lists only bodies the server accepts.
pub fn without_fetch(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, Schema};
    let Some(c) = doc.components.as_mut() else { return };
    c.schemas.remove("FetchUrl");
    if let Some(RefOr::T(Schema::OneOf(forms))) = c.schemas.get_mut("IngestRequest") {
        forms.items.retain(|f| !matches!(f, RefOr::Ref(r) if r.ref_location.ends_with("/FetchUrl")));
    }
}

/// Ingests a page, a text dump or a URL through the pipeline (extraction,
/// analysis, syndication, revisions, stories, index, follows). Matches of
/// follows with webhooks are queued for delivery, never awaited.
#[utoipa::path(post, path = "/api/ingest", tag = "ingest", request_body = IngestRequest,
    responses((status = 200, description = "What the ingest did", body = IngestReport), (status = 400, body = ErrorBody),
        (status = 413, description = "Body over 8 MiB", body = ErrorBody), (status = 415, description = "Not a JSON body", body = ErrorBody)))]
async fn ingest(State(app): State<Arc<App>>, ApiJson(req): ApiJson<IngestRequest>) -> Result<Json<IngestReport>, ApiError> {
    let now = chrono::Utc::now().fixed_offset();
    let (fetched_at, url) = match &req {
        IngestRequest::Html(HtmlPage { fetched_at, url, .. }) | IngestRequest::Text(TextDump { fetched_at, url, .. }) => {
            (fetched_at, url.as_deref())
        }
        IngestRequest::Fetch(FetchUrl { fetched_at, url }) => (fetched_at, Some(url.as_str())),
    };
    let fetched_at = match fetched_at.as_deref() {
        Some(t) => {
            check_date_time("fetched_at", t)?;
            chrono::DateTime::parse_from_rfc3339(t).map_err(|e| ApiError::bad_request(format!("fetched_at: {e}")))?
        }
        None => now,
    };
    let url = match url {
        Some(u) => {
            check_http_url("url", u)?;
            Some(safe_href(u).ok_or_else(|| ApiError::bad_request("url must be an http or https URL"))?)
        }
        None => None,
    };
    let location = |kind: &str| format!("api:{kind}@{}", fetched_at.to_rfc3339());
    let docs: Vec<RawDoc> = match (req, url) {
        (IngestRequest::Html(page), url) => vec![RawDoc {
            location: url.clone().unwrap_or_else(|| location("html")),
            url,
            fetched_at: Some(fetched_at),
            charset: Some("utf-8".into()),
            kind: DocKind::Html,
            bytes: page.html.into_bytes(),
        }],
        (IngestRequest::Text(dump), url) => vec![RawDoc {
            location: location("text"),
            url,
            fetched_at: Some(fetched_at),
            charset: Some("utf-8".into()),
            kind: DocKind::Text,
            bytes: dump.text.into_bytes(),
        }],
        (IngestRequest::Fetch(_), url) => {
            // Always there: the fetch form requires it.
            let Some(url) = url else { return Err(ApiError::bad_request("give html, text or url")) };
            if !app.config.allow_fetch {
                return Err(ApiError::bad_request("fetching URLs is off on this server (start it with --fetch)"));
            }
            // Fetch before taking the store, so a slow site holds no lock.
            let allow_private = app.config.allow_private;
            let opts = SourceOptions { fetch: true, allow_private, ..SourceOptions::default() };
            tokio::task::spawn_blocking(move || {
                newsdesk_sources::open(&[url], &opts).collect::<Result<Vec<_>, _>>()
            })
            .await
            .map_err(|e| ApiError::internal(e.to_string()))?
            .map_err(|e| ApiError::bad_request(format!("fetching failed: {e}")))?
        }
    };
    let report = app
        .with_store(move |app, s| {
            let stream: newsdesk_sources::DocStream = Box::new(docs.into_iter().map(Ok));
            let report = (app.ingest)(s, stream).map_err(|e| {
                eprintln!("newsdesk serve: ingest failed: {e}");
                ApiError::internal("the ingest failed; see the server log")
            })?;
            app.hooks.collect(s);
            Ok(report)
        })
        .await?;
    Ok(Json(report))
}

/// Counts of everything in the store: `articles`, `revisions`,
/// `syndication_groups`, `stories`, `quotes`, `entities`, `follows`,
/// `follow_matches`, `ingest_errors`, `indexed`.
#[utoipa::path(get, path = "/api/stats", tag = "articles",
    responses((status = 200, description = "Counts", body = Object)))]
async fn stats(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    let s = app.with_reader(|_, s| Ok(s.stats()?)).await?;
    Ok(Json(s).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{ENTITY_KIND, FOLLOW_KIND};
    use crate::text::{MAX_PAGE, MAX_PER_PAGE};

    /// The numbers in `#[param(...)]` must be literals; these are the
    /// bounds the server enforces, so the document states them exactly.
    #[test]
    fn documented_page_bounds_are_enforced_ones() {
        let doc = serde_json::to_value(router().split_for_parts().1).expect("document as JSON");
        let mut seen = 0;
        for (path, ops) in doc["paths"].as_object().expect("paths") {
            for params in ops.as_object().expect("operations").values().filter_map(|op| op["parameters"].as_array()) {
                for p in params {
                    let want = match p["name"].as_str() {
                        Some("page") => MAX_PAGE,
                        Some("per_page") => MAX_PER_PAGE as u64,
                        _ => continue,
                    };
                    assert_eq!(p["schema"]["maximum"].as_u64(), Some(want), "{path} {}", p["name"]);
                    assert_eq!(p["schema"]["minimum"].as_u64(), Some(1), "{path} {}", p["name"]);
                    seen += 1;
                }
            }
        }
        assert_eq!(seen, 8, "page and per_page of articles, search, quotes and stories");
    }

    /// The words the handlers take are the words the patterns admit.
    #[test]
    fn kinds_match_their_patterns() {
        let follow = regex::Regex::new(FOLLOW_KIND).expect("pattern");
        let entity = regex::Regex::new(ENTITY_KIND).expect("pattern");
        for k in ["", "query", "speaker", "entity", "person", "organization", "organisation", "place", " query", "Query", "robot", "place\n"] {
            assert_eq!(follow_spec(k, "x", None).is_ok(), follow.is_match(k), "follow kind {k:?}");
            assert_eq!(entity_kind(Some(k)).is_ok(), entity.is_match(k), "entity kind {k:?}");
        }
    }

    #[test]
    fn ingest_forms() {
        let parse = |s: &str| serde_json::from_str::<IngestRequest>(s);
        assert!(matches!(parse(r#"{"html": "<p>x</p>", "url": "https://a.example/"}"#), Ok(IngestRequest::Html(_))));
        assert!(matches!(parse(r#"{"text": "x"}"#), Ok(IngestRequest::Text(_))));
        assert!(matches!(parse(r#"{"url": "https://a.example/"}"#), Ok(IngestRequest::Fetch(_))));
        for bad in [r#"{}"#, r#"{"html": "x", "text": "y"}"#, r#"{"html": "x", "url": null}"#, r#"{"html": null}"#, r#"{"html": "x", "extra": 1}"#] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        // The document offers the three forms, and a server that does not
        // fetch drops the third.
        let mut doc = router().split_for_parts().1;
        let forms = |doc: &utoipa::openapi::OpenApi| {
            serde_json::to_value(doc).expect("JSON")["components"]["schemas"]["IngestRequest"]["oneOf"]
                .as_array()
                .map(|a| a.iter().filter_map(|f| f["$ref"].as_str().map(str::to_string)).collect::<Vec<_>>())
                .unwrap_or_default()
        };
        assert_eq!(forms(&doc).len(), 3, "{:?}", forms(&doc));
        without_fetch(&mut doc);
        assert_eq!(forms(&doc), ["#/components/schemas/HtmlPage", "#/components/schemas/TextDump"]);
    }
}
