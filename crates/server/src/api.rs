//! The JSON API under `/api`. Each handler carries its OpenAPI description
//! (`#[utoipa::path]`); [`router`] registers handlers and descriptions
//! together, so `/openapi.json` lists exactly the routes that exist.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use newsdesk_sources::{DocKind, RawDoc, SourceOptions};
use newsdesk_store::{EntityKind, FollowSpec, QuoteQuery, SearchQuery, Store};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};
use crate::text::{check_id, parse_date, safe_href, window};
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
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Page {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
    pub page: u64,
    pub per_page: u64,
    /// Whether a next page has items.
    pub has_more: bool,
}

fn page_of<T: Serialize>(mut rows: Vec<T>, offset: usize, per: usize) -> Result<Page, ApiError> {
    let has_more = rows.len() > offset + per;
    rows.truncate(offset + per);
    let items = rows
        .into_iter()
        .skip(offset)
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::internal(format!("encoding a response: {e}")))?;
    Ok(Page { items, page: (offset / per.max(1)) as u64 + 1, per_page: per as u64, has_more })
}

/// Filters shared by article lists and search.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filters {
    /// Site (outlet name or host), exact.
    pub site: Option<String>,
    /// ISO 639-1 language code.
    pub lang: Option<String>,
    /// Published at or after: `YYYY-MM-DD` or RFC 3339.
    pub since: Option<String>,
    /// Published before: `YYYY-MM-DD` or RFC 3339.
    pub until: Option<String>,
    /// Quoted speaker: full name or one of its words.
    pub speaker: Option<String>,
    /// Mentioned entity: full name or one of its words.
    pub entity: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1)]
    pub page: Option<u64>,
    /// Results per page (1 to 100, default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

impl Filters {
    /// The store query for `text`, fetching one more than the page needs so
    /// `has_more` is known.
    pub fn query(&self, text: &str) -> Result<(SearchQuery, usize, usize), ApiError> {
        let (offset, per) = window(self.page, self.per_page, 20)?;
        let q = SearchQuery {
            text: text.to_string(),
            since: parse_date("since", self.since.as_deref())?,
            until: parse_date("until", self.until.as_deref())?,
            site: nonempty(&self.site),
            lang: nonempty(&self.lang),
            speaker: nonempty(&self.speaker),
            entity: nonempty(&self.entity),
            limit: offset + per + 1,
        };
        Ok((q, offset, per))
    }
}

/// Articles, newest stored first, one per syndication group, filtered.
///
/// Items are search hits without a snippet ranking: `id`, `headline`,
/// `url`, `site`, `published`, `group`, `copies`.
#[utoipa::path(get, path = "/api/articles", tag = "articles", params(Filters),
    responses((status = 200, description = "A page of articles", body = Page), (status = 400, body = ErrorBody)))]
async fn list_articles(State(app): State<Arc<App>>, ApiQuery(f): ApiQuery<Filters>) -> Result<Json<Page>, ApiError> {
    let (q, offset, per) = f.query("")?;
    let hits = app.with_reader(move |_, s| Ok(s.search(&q)?)).await?;
    Ok(Json(page_of(hits, offset, per)?))
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
    /// `headline:word`. Empty matches everything.
    pub q: Option<String>,
}

/// Full-text search, best first, one hit per syndication group. Items:
/// `id`, `score`, `headline`, `url`, `site`, `language`, `published`, `snippet` (matched
/// words marked `**like this**`), `group`, `copies`.
#[utoipa::path(get, path = "/api/search", tag = "search", params(SearchText, Filters),
    responses((status = 200, description = "A page of hits", body = Page), (status = 400, description = "Bad parameters or query syntax", body = ErrorBody)))]
async fn search(
    State(app): State<Arc<App>>,
    ApiQuery(t): ApiQuery<SearchText>,
    ApiQuery(f): ApiQuery<Filters>,
) -> Result<Json<Page>, ApiError> {
    let (q, offset, per) = f.query(t.q.as_deref().unwrap_or(""))?;
    let hits = app.with_reader(move |_, s| Ok(s.search(&q)?)).await?;
    Ok(Json(page_of(hits, offset, per)?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuoteParams {
    /// Speaker: full name or one of its words.
    pub speaker: Option<String>,
    /// Words that must all occur in the quote.
    pub q: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1)]
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
    let (offset, per) = window(p.page, p.per_page, 20)?;
    let q = QuoteQuery { speaker: nonempty(&p.speaker), text: nonempty(&p.q), limit: offset + per + 1 };
    let rows = app.with_reader(move |_, s| Ok(s.quotes(&q)?)).await?;
    Ok(Json(page_of(rows, offset, per)?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntityParams {
    /// `person`, `organization` or `place`.
    #[param(pattern = "^(person|organization|place)?$")]
    pub kind: Option<String>,
    /// How many (1 to 500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
}

pub fn entity_kind(k: Option<&str>) -> Result<Option<EntityKind>, ApiError> {
    match k.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
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
    /// Page number, from 1.
    #[param(minimum = 1)]
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
    let (offset, per) = window(p.page, p.per_page, 20)?;
    let rows = app.with_reader(move |_, s| Ok(s.stories(offset + per + 1)?)).await?;
    Ok(Json(page_of(rows, offset, per)?))
}

/// One story with its articles in time order.
#[utoipa::path(get, path = "/api/stories/{id}", tag = "stories",
    params(("id" = String, Path, description = "16-digit hex story id", pattern = "^[0-9a-fA-F]{16}$")),
    responses((status = 200, description = "The story", body = Object), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_story(State(app): State<Arc<App>>, ApiPath(id): ApiPath<String>) -> Result<Response, ApiError> {
    let sid = newsdesk_store::Id::parse(&id).ok_or_else(|| ApiError::bad_request(format!("not a story id: {id:?}")))?;
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

/// A new follow.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewFollow {
    /// Unique name; also the follow's id in paths.
    #[schema(min_length = 1, pattern = "\\S")]
    pub name: String,
    /// `query`, `speaker` or `entity`.
    #[schema(pattern = "^(query|speaker|entity)$")]
    pub kind: String,
    /// The query text, speaker name or entity name.
    #[schema(min_length = 1, pattern = "\\S")]
    pub value: String,
    /// Optional `http`/`https` URL to POST new matches to.
    #[schema(pattern = "^https?://[^\\s/]+")]
    pub webhook: Option<String>,
}

/// Checks a follow request and turns it into a store spec.
pub fn follow_spec(kind: &str, value: &str, webhook: Option<&str>) -> Result<(FollowSpec, Option<String>), ApiError> {
    let value = value.trim().to_string();
    let spec = match kind.trim() {
        "query" => FollowSpec::Query(value),
        "speaker" => FollowSpec::Speaker(value),
        "entity" => FollowSpec::Entity(value),
        other => return Err(ApiError::bad_request(format!("kind must be query, speaker or entity, not {other:?}"))),
    };
    let hook = match webhook.map(str::trim).filter(|w| !w.is_empty()) {
        None => None,
        Some(w) => Some(safe_href(w).ok_or_else(|| ApiError::bad_request("webhook must be an http or https URL"))?),
    };
    Ok((spec, hook))
}

/// Adds a follow. It matches articles ingested from now on.
#[utoipa::path(post, path = "/api/follows", tag = "follows", request_body = NewFollow,
    responses((status = 201, description = "Created", body = FollowOut), (status = 400, body = ErrorBody), (status = 409, description = "The name exists", body = ErrorBody),
        (status = 415, description = "Not a JSON body", body = ErrorBody)))]
async fn create_follow(State(app): State<Arc<App>>, ApiJson(req): ApiJson<NewFollow>) -> Result<Response, ApiError> {
    let (spec, hook) = follow_spec(&req.kind, &req.value, req.webhook.as_deref())?;
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

/// Something to ingest: an HTML page (with its address), a plain-text dump
/// of one or several articles, or a URL to fetch.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IngestRequest {
    /// The page's HTML.
    pub html: Option<String>,
    /// A plain-text dump (text copied out of a browser).
    pub text: Option<String>,
    /// The page's address; alone, the URL to fetch.
    pub url: Option<String>,
    /// When the page was fetched (RFC 3339); default now.
    #[schema(format = DateTime)]
    pub fetched_at: Option<String>,
}

/// Ingests a page, a text dump or a URL through the pipeline (extraction,
/// analysis, syndication, revisions, stories, index, follows). Matches of
/// follows with webhooks are queued for delivery, never awaited.
#[utoipa::path(post, path = "/api/ingest", tag = "ingest", request_body = IngestRequest,
    responses((status = 200, description = "What the ingest did", body = IngestReport), (status = 400, body = ErrorBody),
        (status = 413, description = "Body over 8 MiB", body = ErrorBody), (status = 415, description = "Not a JSON body", body = ErrorBody)))]
async fn ingest(State(app): State<Arc<App>>, ApiJson(req): ApiJson<IngestRequest>) -> Result<Json<IngestReport>, ApiError> {
    let now = chrono::Utc::now().fixed_offset();
    let fetched_at = match req.fetched_at.as_deref() {
        Some(t) => chrono::DateTime::parse_from_rfc3339(t).map_err(|e| ApiError::bad_request(format!("fetched_at: {e}")))?,
        None => now,
    };
    let url = match req.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => Some(safe_href(u).ok_or_else(|| ApiError::bad_request("url must be an http or https URL"))?),
        None => None,
    };
    let location = |kind: &str| format!("api:{kind}@{}", fetched_at.to_rfc3339());
    let docs: Vec<RawDoc> = match (req.html, req.text, url) {
        (Some(_), Some(_), _) => return Err(ApiError::bad_request("give html or text, not both")),
        (Some(html), None, url) => vec![RawDoc {
            location: url.clone().unwrap_or_else(|| location("html")),
            url,
            fetched_at: Some(fetched_at),
            charset: Some("utf-8".into()),
            kind: DocKind::Html,
            bytes: html.into_bytes(),
        }],
        (None, Some(text), url) => vec![RawDoc {
            location: location("text"),
            url,
            fetched_at: Some(fetched_at),
            charset: Some("utf-8".into()),
            kind: DocKind::Text,
            bytes: text.into_bytes(),
        }],
        (None, None, Some(url)) => {
            if !app.config.allow_fetch {
                return Err(ApiError::bad_request("fetching URLs is off on this server (start it with --fetch)"));
            }
            // Fetch before taking the store, so a slow site holds no lock.
            let opts = SourceOptions { fetch: true, allow_private: false, ..SourceOptions::default() };
            tokio::task::spawn_blocking(move || {
                newsdesk_sources::open(&[url], &opts).collect::<Result<Vec<_>, _>>()
            })
            .await
            .map_err(|e| ApiError::internal(e.to_string()))?
            .map_err(|e| ApiError::bad_request(format!("fetching failed: {e}")))?
        }
        (None, None, None) => return Err(ApiError::bad_request("give html, text or url")),
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
