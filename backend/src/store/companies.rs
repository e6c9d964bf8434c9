use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, QueryOrder, Set};

use super::WriteTx;
use super::entities::companies;
use shared::CompanyId;

pub async fn insert(tx: &WriteTx, name: &str) -> Result<companies::Model, DbErr> {
    companies::ActiveModel {
        name: Set(name.to_owned()),
        created_at: Set(Utc::now()),
        suspended: Set(false),
        ..Default::default()
    }
    .insert(tx)
    .await
}

pub async fn get(db: &impl ConnectionTrait, id: CompanyId) -> Result<Option<companies::Model>, DbErr> {
    companies::Entity::find_by_id(id.0).one(db).await
}

pub async fn first(db: &impl ConnectionTrait) -> Result<Option<companies::Model>, DbErr> {
    companies::Entity::find().order_by_asc(companies::Column::Id).one(db).await
}

pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<companies::Model>, DbErr> {
    companies::Entity::find().order_by_asc(companies::Column::Id).all(db).await
}

pub async fn update(tx: &WriteTx, row: companies::ActiveModel) -> Result<companies::Model, DbErr> {
    sea_orm::ActiveModelTrait::update(row, tx).await
}

/// Deletes the company and every row it holds, children before parents (not every table has a
/// cascading foreign key, and SQLite does not enforce them).
pub async fn delete_with_data(tx: &WriteTx, company: CompanyId) -> Result<(), DbErr> {
    use sea_orm::sea_query::Query;
    use sea_orm::{ColumnTrait, QueryFilter};

    use super::entities::*;
    macro_rules! by_company {
        ($($table:ident),* $(,)?) => {$(
            $table::Entity::delete_many().filter($table::Column::CompanyId.eq(company.0)).exec(tx).await?;
        )*};
    }
    let users_of_company = Query::select()
        .column(users::Column::Id)
        .from(users::Entity)
        .and_where(users::Column::CompanyId.eq(company.0))
        .to_owned();
    let sessions_of_company = Query::select()
        .column(auth_sessions::Column::Id)
        .from(auth_sessions::Entity)
        .and_where(auth_sessions::Column::UserId.in_subquery(users_of_company.clone()))
        .to_owned();
    by_company!(
        webhook_deliveries,
        outgoing_webhooks,
        outbound_jobs,
        ratings,
        kanban_cards,
        kanban_lanes,
        kanban_boards,
        ticket_tags,
        ticket_logs,
        notes,
        schedules,
        protocols,
        messages,
        tickets,
        // After the tickets: their triggers write here as they go.
        active_ticket_counts,
        contact_imports,
        contacts,
        connections,
    );
    refresh_tokens::Entity::delete_many()
        .filter(refresh_tokens::Column::SessionId.in_subquery(sessions_of_company))
        .exec(tx)
        .await?;
    auth_sessions::Entity::delete_many()
        .filter(auth_sessions::Column::UserId.in_subquery(users_of_company.clone()))
        .exec(tx)
        .await?;
    user_queues::Entity::delete_many()
        .filter(user_queues::Column::UserId.in_subquery(users_of_company))
        .exec(tx)
        .await?;
    by_company!(api_tokens, quick_replies, stickers, tags, users, queues, events, company_counters, company_settings);
    companies::Entity::delete_by_id(company.0).exec(tx).await?;
    Ok(())
}
