//! `/admin/calendars`: business calendars — the working hours per weekday in a
//! time zone, and holidays — and which calendar each priority's targets count
//! in. (Calendars are not removed: a priority may still count in one.)

use super::{done_message, SettingsHeading, SettingsOutcome, Shown};
use crate::components::{LabelledField, LabelledSelect, LoadError};
use crate::domain::{calendar_choice_name, CalendarConfig, CalendarsOverview, WEEKDAYS};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(prefix = "/api", endpoint = "admin_calendars")]
pub async fn admin_calendars() -> Result<CalendarsOverview, AppError> {
    use crate::server::web::caller::Access;
    use crate::server::web::context::serve_as;
    serve_as(Access::Admin, |state, _| async move {
        let mut conn = state.db.reader.acquire().await?;
        Ok(crate::server::settings::calendars::overview(&mut conn).await?)
    })
    .await
}

#[component]
pub fn CalendarsPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| admin_calendars());
    let outcome = use_context::<SettingsOutcome>().unwrap_or_default();
    let done = done_message(&[
        (
            "added",
            "The calendar is added: choose it for a priority below to use it.",
        ),
        ("saved", "The calendar is saved."),
        ("priorities", "Each priority's calendar is saved."),
    ]);
    view! {
        <Title text="Business calendars"/>
        <Suspense>
            {move || {
                let outcome = outcome.clone();
                Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => {
                            let choices = Shown::new(&outcome, "priorities", overview.priority_fields());
                            let calendars: Vec<(String, String)> = overview
                                .calendars
                                .iter()
                                .map(|c| (c.id.to_string(), c.name.clone()))
                                .collect();
                            view! {
                                <div class="wrap page">
                                    <SettingsHeading title="Business calendars" done problem=outcome.problem.clone()
                                        lead="Response and resolution targets count only the working hours of their priority's calendar. Tickets logged from now on fall due in the new hours; an open ticket's deadlines are worked out again in them when it resumes after waiting on its reporter or its priority changes. Each change is recorded in the audit log."/>
                                    <section class="panel" aria-labelledby="priority-calendars-title">
                                        <h2 id="priority-calendars-title">"Which calendar each priority counts in"</h2>
                                        {choices.summary()}
                                        <form method="post" action="/admin/calendars/priorities" novalidate data-test="priority-calendars">
                                            {overview.priorities.iter().map(|p| {
                                                let name = calendar_choice_name(p.priority);
                                                // No calendar yet: nothing is chosen silently.
                                                let mut options = calendars.clone();
                                                if p.calendar_id.is_none() {
                                                    options.insert(0, (String::new(), "Choose a calendar".into()));
                                                }
                                                view! {
                                                    <LabelledSelect id=choices.id(&name) name=name.clone()
                                                        label=format!("P{} – {}", p.priority, p.label) options
                                                        selected=choices.value(&name) error=choices.error(&name)/>
                                                }
                                            }).collect_view()}
                                            <button type="submit" class="button">"Save the priorities' calendars"</button>
                                        </form>
                                    </section>
                                    <section class="panel" aria-labelledby="add-calendar-title">
                                        <h2 id="add-calendar-title">"Add a calendar"</h2>
                                        <CalendarForm form=Shown::new(&outcome, "new", vec![("time_zone".into(), "UTC".into())])
                                            action="/admin/calendars".into() name=None/>
                                    </section>
                                    {overview.calendars.into_iter().map(|calendar| view! {
                                        <CalendarEditor calendar outcome=outcome.clone()/>
                                    }).collect_view()}
                                </div>
                            }.into_any()
                        }
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn CalendarEditor(calendar: CalendarConfig, outcome: SettingsOutcome) -> impl IntoView {
    let form = Shown::new(&outcome, &calendar.id.to_string(), calendar.fields());
    let used_by = if calendar.priorities.is_empty() {
        "No priority counts in it.".to_string()
    } else {
        let levels: Vec<String> = calendar
            .priorities
            .iter()
            .map(|p| format!("P{p}"))
            .collect();
        format!("Targets of {} count in it.", levels.join(", "))
    };
    let title_id = format!("calendar-{}-title", calendar.id);
    let labelled_by = title_id.clone();
    view! {
        <section class="panel" id=format!("calendar-{}", calendar.id) aria-labelledby=labelled_by data-test="calendar">
            <h2 id=title_id>{calendar.name.clone()}</h2>
            <p class="hint">{format!("{} · {used_by}", calendar.time_zone)}</p>
            <CalendarForm form action=format!("/admin/calendars/{}", calendar.id) name=Some(calendar.name)/>
        </section>
    }
}

/// The fields of a calendar: `name` is the saved name of the calendar being edited.
#[component]
fn CalendarForm(form: Shown, action: String, name: Option<String>) -> impl IntoView {
    let hours_title = form.id("hours-title");
    let hours_labelled_by = hours_title.clone();
    let time = |name: String, label: String| {
        let id = form.id(&name);
        let error = form.error(&name);
        let error_id = format!("{id}-error");
        view! {
            <label class="visually-hidden" for=id.clone()>{label}</label>
            {error.clone().map(|e| view! {
                <p class="field-error" id=error_id.clone()><span class="visually-hidden">"Error: "</span>{e}</p>
            })}
            <input id=id name=name.clone() type="text" value=form.value(&name) size="5" maxlength="5"
                inputmode="numeric" aria-invalid=error.as_ref().map(|_| "true")
                aria-describedby=error.map(|_| error_id)/>
        }
    };
    let button = match &name {
        Some(name) => {
            view! { "Save " <span class="visually-hidden">{name.clone()}</span> }.into_any()
        }
        None => view! { "Add the calendar" }.into_any(),
    };
    view! {
        {form.summary()}
        <form method="post" action=action novalidate>
            <LabelledField id=form.id("name") name="name" label="Name" value=form.value("name")
                error=form.error("name") maxlength=100/>
            <LabelledField id=form.id("time_zone") name="time_zone" label="Time zone" value=form.value("time_zone")
                error=form.error("time_zone") hint="Its IANA name, such as Europe/London, America/New_York or UTC." maxlength=64/>
            <table class="data-table calendar-hours" aria-labelledby=hours_labelled_by>
                <caption id=hours_title>"Working hours (24-hour clock, such as 08:00 and 18:00; 24:00 is midnight at the end of the day; both empty is a day off)"</caption>
                <thead><tr><th scope="col">"Day"</th><th scope="col">"Opens"</th><th scope="col">"Closes"</th></tr></thead>
                <tbody>
                    {WEEKDAYS.iter().map(|(day, day_name)| view! {
                        <tr>
                            <th scope="row">{*day_name}</th>
                            <td>{time(format!("{day}_opens"), format!("{day_name} opens"))}</td>
                            <td>{time(format!("{day}_closes"), format!("{day_name} closes"))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <LabelledField id=form.id("holidays") name="holidays" label="Holidays, one per line" value=form.value("holidays")
                error=form.error("holidays") hint="The date, then its name: 2026-12-25 Christmas Day. No working time counts on a holiday." lines=5/>
            <button type="submit" class=if name.is_some() { "button" } else { "button primary" }>{button}</button>
        </form>
    }
}
