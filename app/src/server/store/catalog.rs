//! The service catalogue: services and their categories.

use crate::domain::{Category, CategoryChanges, CategoryId, Service, ServiceId};
use sqlx::SqliteConnection;

/// A service joined with one of its categories (none: the category columns are null).
#[derive(sqlx::FromRow)]
struct ServiceCategoryRow {
    id: i64,
    slug: String,
    name: String,
    description: String,
    offered: bool,
    category_id: Option<i64>,
    category_name: Option<String>,
    category_offered: Option<bool>,
}

/// Every service with its categories, in display order, withdrawn ones included
/// (the logging form offers [`Service::offered_only`]).
pub async fn list_services(conn: &mut SqliteConnection) -> Result<Vec<Service>, sqlx::Error> {
    let rows = sqlx::query_as::<_, ServiceCategoryRow>(
        "SELECT s.id, s.slug, s.name, s.description, s.offered,
                c.id AS category_id, c.name AS category_name, c.offered AS category_offered
         FROM services s LEFT JOIN categories c ON c.service_id = s.id
         ORDER BY s.position, s.name, s.id, c.position, c.name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut services: Vec<Service> = Vec::new();
    for row in rows {
        let id = ServiceId(row.id);
        if services.last().map(|s| s.id) != Some(id) {
            services.push(Service {
                id,
                slug: row.slug,
                name: row.name,
                description: row.description,
                offered: row.offered,
                categories: Vec::new(),
            });
        }
        if let Some(category_id) = row.category_id {
            if let Some(service) = services.last_mut() {
                service.categories.push(Category {
                    id: CategoryId(category_id),
                    name: row.category_name.unwrap_or_default(),
                    offered: row.category_offered == Some(true),
                });
            }
        }
    }
    Ok(services)
}

/// The offered services as (slug, name), in display order, and the service `keep`
/// too when it is withdrawn: what a form may choose from, where the record being
/// edited keeps the service it already names.
pub async fn service_choices(
    conn: &mut SqliteConnection,
    keep: Option<&str>,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT slug, name FROM services WHERE offered = 1 OR slug = ?
         ORDER BY position, name, id",
    )
    .bind(keep)
    .fetch_all(&mut *conn)
    .await
}

/// Whether `slug` names a service that is offered (not withdrawn, not unknown).
pub async fn is_offered(conn: &mut SqliteConnection, slug: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) > 0 FROM services WHERE slug = ? AND offered = 1")
        .bind(slug)
        .fetch_one(&mut *conn)
        .await
}

/// A service to add to the catalogue.
#[derive(Clone, Debug)]
pub struct NewService<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub categories: &'a [String],
}

/// Adds a service and its categories; the caller owns the transaction.
pub async fn insert_service(
    conn: &mut SqliteConnection,
    service: NewService<'_>,
) -> Result<ServiceId, sqlx::Error> {
    let position: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM services")
        .fetch_one(&mut *conn)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO services (slug, name, description, position) VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(service.slug)
    .bind(service.name)
    .bind(service.description)
    .bind(position)
    .fetch_one(&mut *conn)
    .await?;
    for (position, name) in service.categories.iter().enumerate() {
        sqlx::query("INSERT INTO categories (service_id, name, position) VALUES (?, ?, ?)")
            .bind(id)
            .bind(name)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(ServiceId(id))
}

/// The service with this slug, if any.
pub async fn service_id(
    conn: &mut SqliteConnection,
    slug: &str,
) -> Result<Option<ServiceId>, sqlx::Error> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT id FROM services WHERE slug = ?")
            .bind(slug)
            .fetch_optional(conn)
            .await?
            .map(ServiceId),
    )
}

/// The categories of `service`, in display order.
pub async fn categories_of(
    conn: &mut SqliteConnection,
    service: ServiceId,
) -> Result<Vec<Category>, sqlx::Error> {
    let rows: Vec<(i64, String, bool)> = sqlx::query_as(
        "SELECT id, name, offered = 1 FROM categories WHERE service_id = ? ORDER BY position, name",
    )
    .bind(service.0)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, offered)| Category {
            id: CategoryId(id),
            name,
            offered,
        })
        .collect())
}

/// How many services other than `service` the logging form offers.
pub async fn other_offered_services(
    conn: &mut SqliteConnection,
    service: ServiceId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM services WHERE offered = 1 AND id <> ?")
        .bind(service.0)
        .fetch_one(conn)
        .await
}

/// Writes the categories form of `service`: renames, offers, new categories.
/// The caller owns the transaction.
pub async fn save_categories(
    conn: &mut SqliteConnection,
    service: ServiceId,
    changes: &CategoryChanges,
) -> Result<(), sqlx::Error> {
    // Names are unique per service: changed categories step aside first (to a
    // name with a control character, which no typed name has), so that two that
    // swap names never meet.
    for category in &changes.changed {
        sqlx::query("UPDATE categories SET name = char(1) || id WHERE id = ? AND service_id = ?")
            .bind(category.id.0)
            .bind(service.0)
            .execute(&mut *conn)
            .await?;
    }
    for category in &changes.changed {
        sqlx::query("UPDATE categories SET name = ?, offered = ? WHERE id = ? AND service_id = ?")
            .bind(&category.name)
            .bind(category.offered)
            .bind(category.id.0)
            .bind(service.0)
            .execute(&mut *conn)
            .await?;
    }
    for name in &changes.added {
        sqlx::query(
            "INSERT INTO categories (service_id, name, position)
             VALUES (?1, ?2, (SELECT count(*) FROM categories WHERE service_id = ?1))",
        )
        .bind(service.0)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A service's name, description and whether it is offered.
pub async fn service_text(
    conn: &mut SqliteConnection,
    service: ServiceId,
) -> Result<(String, String, bool), sqlx::Error> {
    sqlx::query_as("SELECT name, description, offered = 1 FROM services WHERE id = ?")
        .bind(service.0)
        .fetch_one(conn)
        .await
}

/// Renames, describes, offers or withdraws a service.
pub async fn update_service(
    conn: &mut SqliteConnection,
    service: ServiceId,
    name: &str,
    description: &str,
    offered: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE services SET name = ?, description = ?, offered = ? WHERE id = ?")
        .bind(name)
        .bind(description)
        .bind(offered)
        .bind(service.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Category `id`'s service and name, and whether both are offered.
pub async fn category_names(
    conn: &mut SqliteConnection,
    id: CategoryId,
) -> Result<Option<(String, String, bool)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.name, c.name, c.offered = 1 AND s.offered = 1
         FROM categories c JOIN services s ON s.id = c.service_id WHERE c.id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// How many services there are, offered or not.
pub async fn count_services(conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM services")
        .fetch_one(conn)
        .await
}

/// The id of category `category` of service `service` (a slug).
pub async fn category_by_name(
    conn: &mut SqliteConnection,
    service: &str,
    category: &str,
) -> Result<Option<CategoryId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT c.id FROM categories c JOIN services s ON s.id = c.service_id
         WHERE s.slug = ? AND c.name = ?",
    )
    .bind(service)
    .bind(category)
    .fetch_optional(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::db::Db;
    use crate::server::store::db::TempDb;

    /// The catalogue's joined query against a freshly migrated database: a column
    /// renamed in a migration fails here.
    #[tokio::test]
    async fn list_services_decodes_the_migrated_schema() {
        let file = TempDb::new("catalog");
        let db = Db::open(&file.0).await.unwrap();
        let mut conn = db.writer.acquire().await.unwrap();
        let categories = ["Sending".to_string(), "Receiving".to_string()];
        let mail = insert_service(
            &mut conn,
            NewService {
                slug: "mail",
                name: "Mail",
                description: "E-mail for everyone",
                categories: &categories,
            },
        )
        .await
        .unwrap();
        let printing = insert_service(
            &mut conn,
            NewService {
                slug: "printing",
                name: "Printing",
                description: "",
                categories: &[],
            },
        )
        .await
        .unwrap();
        sqlx::query("UPDATE categories SET offered = 0 WHERE name = 'Receiving'")
            .execute(&mut *conn)
            .await
            .unwrap();
        update_service(&mut conn, printing, "Printing", "", false)
            .await
            .unwrap();

        let services = list_services(&mut conn).await.unwrap();
        assert_eq!(services.len(), 2);
        let (first, second) = (&services[0], &services[1]);
        assert_eq!(
            (first.id, first.slug.as_str(), first.name.as_str()),
            (mail, "mail", "Mail")
        );
        assert_eq!(first.description, "E-mail for everyone");
        assert!(first.offered);
        let seen: Vec<(&str, bool)> = first
            .categories
            .iter()
            .map(|c| (c.name.as_str(), c.offered))
            .collect();
        assert_eq!(seen, [("Sending", true), ("Receiving", false)]);
        assert_eq!((second.id, second.offered), (printing, false));
        assert!(second.categories.is_empty());
    }
}
