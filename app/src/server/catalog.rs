//! The service catalogue: services and their categories.

use crate::domain::{Category, CategoryId, Service, ServiceId};
use sqlx::{Row, SqliteConnection};

/// Every service with its categories, in display order.
pub async fn list_services(conn: &mut SqliteConnection) -> Result<Vec<Service>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT s.id, s.slug, s.name, s.description, c.id AS category_id, c.name AS category_name
         FROM services s LEFT JOIN categories c ON c.service_id = s.id
         ORDER BY s.position, s.name, s.id, c.position, c.name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut services: Vec<Service> = Vec::new();
    for row in rows {
        let id = ServiceId(row.get("id"));
        if services.last().map(|s| s.id) != Some(id) {
            services.push(Service {
                id,
                slug: row.get("slug"),
                name: row.get("name"),
                description: row.get("description"),
                categories: Vec::new(),
            });
        }
        if let Some(category_id) = row.get::<Option<i64>, _>("category_id") {
            if let Some(service) = services.last_mut() {
                service.categories.push(Category {
                    id: CategoryId(category_id),
                    name: row.get("category_name"),
                });
            }
        }
    }
    Ok(services)
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
