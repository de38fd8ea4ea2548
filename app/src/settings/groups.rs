//! `/admin/groups`: assignment groups — add a group, rename it, change its level
//! of support and its members. (Members can also be set per account on
//! `/admin/users`. Groups are not removed: tickets keep theirs.)

use super::{done_message, SettingsHeading, SettingsOutcome, Shown};
use crate::components::{CheckboxList, LabelledField, LabelledSelect, LoadError};
use crate::domain::{counted, GroupConfig, GroupsOverview, StaffMember, GROUP_LEVELS};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(prefix = "/api", endpoint = "admin_groups")]
pub async fn admin_groups() -> Result<GroupsOverview, AppError> {
    use crate::server::web::caller::Access;
    use crate::server::web::context::serve_as;
    serve_as(Access::Admin, |state, _| async move {
        let mut conn = state.db.reader.acquire().await?;
        Ok(crate::server::settings::groups::overview(&mut conn).await?)
    })
    .await
}

#[component]
pub fn GroupsPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| admin_groups());
    let outcome = use_context::<SettingsOutcome>().unwrap_or_default();
    let done = done_message(&[
        (
            "added",
            "The group is added: agents can assign and escalate tickets to it.",
        ),
        ("saved", "The group is saved."),
    ]);
    view! {
        <Title text="Assignment groups"/>
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    match overview.await {
                        Ok(GroupsOverview { groups, staff }) => view! {
                            <div class="wrap page">
                                <SettingsHeading title="Assignment groups" done problem=outcome.problem.clone()
                                    lead="New tickets go to the first 1st-level group; agents escalate to 2nd and 3rd level. Members are agents and admins; each change is recorded in the audit log."/>
                                <section class="panel" aria-labelledby="add-group-title">
                                    <h2 id="add-group-title">"Add a group"</h2>
                                    <GroupForm form=Shown::new(&outcome, "new", vec![("level".into(), "2".into()), ("mail_new_tickets".into(), "on".into())])
                                        action="/admin/groups".into() staff=staff.clone() name=None/>
                                </section>
                                {groups.into_iter().map(|group| view! {
                                    <GroupEditor group staff=staff.clone() outcome=outcome.clone()/>
                                }).collect_view()}
                            </div>
                        }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn GroupEditor(
    group: GroupConfig,
    staff: Vec<StaffMember>,
    outcome: SettingsOutcome,
) -> impl IntoView {
    let form = Shown::new(&outcome, &group.id.to_string(), group.fields());
    let level = GROUP_LEVELS
        .iter()
        .find(|(l, _)| *l == group.level)
        .map_or("", |(_, name)| *name);
    let title_id = format!("group-{}-title", group.id);
    let labelled_by = title_id.clone();
    view! {
        <section class="panel" id=format!("group-{}", group.id) aria-labelledby=labelled_by data-test="group">
            <h2 id=title_id>{group.name.clone()}</h2>
            <p class="hint">{format!(
                "{level} · {} · {}",
                counted(group.members.len(), "member", "members"),
                counted(usize::try_from(group.open_tickets).unwrap_or(0), "open ticket", "open tickets"),
            )}</p>
            <GroupForm form action=format!("/admin/groups/{}", group.id) staff name=Some(group.name)/>
        </section>
    }
}

/// The fields of a group: `name` is the saved name of the group being edited.
#[component]
fn GroupForm(
    form: Shown,
    action: String,
    staff: Vec<StaffMember>,
    name: Option<String>,
) -> impl IntoView {
    let levels = GROUP_LEVELS
        .iter()
        .map(|(level, label)| (level.to_string(), label.to_string()))
        .collect();
    let members = staff
        .into_iter()
        .map(|person| {
            let away = if person.active {
                ""
            } else {
                " — deactivated"
            };
            (
                person.id.to_string(),
                format!("{} ({}){away}", person.name, person.email),
            )
        })
        .collect();
    let button = match &name {
        Some(name) => {
            view! { "Save " <span class="visually-hidden">{name.clone()}</span> }.into_any()
        }
        None => view! { "Add the group" }.into_any(),
    };
    view! {
        {form.summary()}
        <form method="post" action=action novalidate>
            <LabelledField id=form.id("name") name="name" label="Name" value=form.value("name")
                error=form.error("name") maxlength=100/>
            <LabelledSelect id=form.id("level") name="level" label="Level of support" options=levels
                selected=form.value("level") error=form.error("level")/>
            <CheckboxList id=form.id("members") name="member" legend="Members" options=members
                chosen=form.values("member") error=form.error("members")/>
            <CheckboxList id=form.id("mail") name="mail_new_tickets" legend="E-mail"
                options=vec![("on".into(), "E-mail the members about each new ticket in this group".into())]
                chosen=form.values("mail_new_tickets") error=None/>
            <button type="submit" class=if name.is_some() { "button" } else { "button primary" }>{button}</button>
        </form>
    }
}
