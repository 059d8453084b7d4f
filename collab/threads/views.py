"""Discussion pages: thread list, thread, writing, editing, moderation."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from collab.auth.forms import ConfirmForm
from collab.core.errors import DomainError
from collab.core.pagination import paginate
from collab.core.permissions import Role, group_view, is_secretariat, require
from collab.extensions import db
from collab.groups.models import Group, Membership
from collab.threads import permissions, services
from collab.threads.forms import (
    EditForm,
    HideForm,
    MoveForm,
    PostForm,
    SubscriptionForm,
    ThreadForm,
)
from collab.threads.models import Level, Post

bp = Blueprint("threads", __name__, url_prefix="/groups")
LEVELS = [
    SelectChoice(Level.WATCH, _l("Watching: every new post")),
    SelectChoice(Level.NORMAL, _l("Normal: only when I am mentioned")),
    SelectChoice(Level.MUTE, _l("Muted: nothing")),
]


def _thread(group, thread_id):
    return services.get_thread(group, thread_id) or abort(404)


def _post(thread, post_id):
    return services.get_post(thread, post_id) or abort(404)


@bp.get("/<slug>/threads/")
@group_view()
def index(group):
    page = paginate(services.threads_in(group), per_page=30)
    read = services.read_numbers(current_user, [t.id for t in page.items])
    return render_template("threads/index.html", group=group, page=page, read=read)


@bp.route("/<slug>/threads/new", methods=["GET", "POST"])
@group_view(min_role=Role.MEMBER)
def new(group):
    require(permissions.can_start_thread(current_user, group))
    form = ThreadForm()
    preview = None
    if form.validate_on_submit():
        try:
            if form.preview.data:
                preview = services.preview(form.body.data, group)
            else:
                post = services.start_thread(
                    current_user,
                    group,
                    form.title.data,
                    form.body.data,
                    form.form_token.data,
                )
                db.session.commit()
                flash(_("Thread started."), "success")
                return redirect(
                    url_for(".show", slug=group.slug, thread_id=post.thread_id)
                )
        except DomainError as error:
            getattr(form, error.field or "body").errors.append(error.message)
    status = 400 if form.errors else 200
    return render_template(
        "threads/new.html", group=group, form=form, preview_html=preview
    ), status


@bp.get("/<slug>/threads/<int:thread_id>")
@group_view()
def show(group, thread_id):
    thread = _thread(group, thread_id)
    pages = services.page_count(thread)
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    return _thread_page(group, thread, page, _reply_form(thread))


def _reply_form(thread, form=None):
    form = form or PostForm(formdata=None)
    quote = request.args.get("quote", type=int)
    if quote and not form.body.data:
        quoted = services.get_post(thread, quote)
        if quoted is not None and quoted.is_visible and quoted.author:
            lines = "\n".join("> " + line for line in quoted.body.splitlines())
            form.body.data = f"{quoted.author.display_name}:\n{lines}\n\n"
    return form


def _thread_page(group, thread, page, form, preview=None, status=200):
    posts = services.posts_page(thread, page)
    read = services.read_numbers(current_user, [thread.id]).get(thread.id, 0)
    if posts and posts[-1].number > read:
        # Only a page with posts not read yet is a write: rereading stays a read.
        services.mark_read(current_user, thread, posts[-1].number)
    return render_template(
        "threads/show.html",
        group=group,
        thread=thread,
        posts=posts,
        page=page,
        pages=services.page_count(thread),
        form=form,
        preview_html=preview,
        confirm=ConfirmForm(),
        level=services.subscription_level(current_user, thread),
        subscription_form=SubscriptionForm(formdata=None),
        levels=LEVELS,
    ), status


@bp.get("/<slug>/threads/<int:thread_id>/unread")
@group_view()
def first_unread(group, thread_id):
    thread = _thread(group, thread_id)
    number = services.first_unread(current_user, thread)
    post = db.session.scalar(
        select(Post).where(Post.thread_id == thread.id, Post.number == number)
    )
    anchor = f"post-{post.id}" if post else None
    return redirect(
        url_for(
            ".show",
            slug=group.slug,
            thread_id=thread.id,
            page=services.page_of(number),
            _anchor=anchor,
        )
    )


@bp.post("/<slug>/threads/<int:thread_id>/reply")
@group_view(min_role=Role.MEMBER)
def reply(group, thread_id):
    thread = _thread(group, thread_id)
    if not permissions.can_reply(current_user, thread):
        if thread.is_locked and permissions.can_start_thread(current_user, group):
            flash(_("This thread is locked: it takes no more replies."), "error")
            return redirect(url_for(".show", slug=group.slug, thread_id=thread.id))
        abort(403)
    form = PostForm()
    last_page = services.page_count(thread)
    if form.validate_on_submit():
        try:
            if form.preview.data:
                preview = services.preview(form.body.data, group)
                return _thread_page(group, thread, last_page, form, preview)
            post = services.reply(
                current_user, thread, form.body.data, form.form_token.data
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.body.errors.append(error.message)
        else:
            return redirect(
                url_for(
                    ".show",
                    slug=group.slug,
                    thread_id=thread.id,
                    page=services.page_of(post.number),
                    _anchor=f"post-{post.id}",
                )
            )
    return _thread_page(group, thread, last_page, form, status=400)


@bp.route(
    "/<slug>/threads/<int:thread_id>/posts/<int:post_id>/edit", methods=["GET", "POST"]
)
@group_view(min_role=Role.MEMBER)
def edit(group, thread_id, post_id):
    thread = _thread(group, thread_id)
    post = _post(thread, post_id)
    require(permissions.can_edit_post(current_user, post))
    form = EditForm(data={"body": post.body}) if request.method == "GET" else EditForm()
    preview = None
    if form.validate_on_submit():
        try:
            if form.preview.data:
                preview = services.preview(form.body.data, group)
            else:
                services.edit_post(current_user, post, form.body.data)
                db.session.commit()
                flash(_("Your post is updated."), "success")
                return redirect(_post_url(post))
        except DomainError as error:
            form.body.errors.append(error.message)
    status = 400 if form.errors else 200
    return render_template(
        "threads/edit.html",
        group=group,
        thread=thread,
        post=post,
        form=form,
        preview_html=preview,
    ), status


@bp.get("/<slug>/threads/<int:thread_id>/posts/<int:post_id>/history")
@group_view()
def history(group, thread_id, post_id):
    thread = _thread(group, thread_id)
    post = _post(thread, post_id)
    require(permissions.can_view_history(current_user, post))
    if not post.is_visible:
        abort(404)
    return render_template(
        "threads/history.html",
        group=group,
        thread=thread,
        post=post,
        revisions=services.revisions(post),
    )


@bp.post("/<slug>/threads/<int:thread_id>/posts/<int:post_id>/delete")
@group_view(min_role=Role.MEMBER)
def delete(group, thread_id, post_id):
    thread = _thread(group, thread_id)
    post = _post(thread, post_id)
    require(permissions.can_delete_post(current_user, post))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_post(current_user, post)
    db.session.commit()
    flash(_("Your post is removed."), "success")
    return redirect(_post_url(post))


@bp.route(
    "/<slug>/threads/<int:thread_id>/posts/<int:post_id>/hide", methods=["GET", "POST"]
)
@group_view(min_role=Role.CHAIR)
def hide(group, thread_id, post_id):
    thread = _thread(group, thread_id)
    post = _post(thread, post_id)
    require(permissions.can_hide_post(current_user, post))
    form = HideForm()
    if form.validate_on_submit():
        services.hide_post(current_user, post, form.reason.data)
        db.session.commit()
        flash(_("The post is hidden."), "success")
        return redirect(_post_url(post))
    status = 400 if form.errors else 200
    return render_template(
        "threads/hide.html", group=group, thread=thread, post=post, form=form
    ), status


@bp.post("/<slug>/threads/<int:thread_id>/<any(pin, unpin, lock, unlock):action>")
@group_view(min_role=Role.CHAIR)
def moderate(group, thread_id, action):
    thread = _thread(group, thread_id)
    require(permissions.can_moderate(current_user, group))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    flag = "pinned" if action in ("pin", "unpin") else "locked"
    services.set_flag(current_user, thread, flag, not action.startswith("un"))
    db.session.commit()
    messages = {
        "pin": _("Thread pinned."),
        "unpin": _("Thread unpinned."),
        "lock": _("Thread locked."),
        "unlock": _("Thread unlocked."),
    }
    flash(messages[action], "success")
    return redirect(url_for(".show", slug=group.slug, thread_id=thread.id))


@bp.route("/<slug>/threads/<int:thread_id>/move", methods=["GET", "POST"])
@group_view(min_role=Role.CHAIR)
def move(group, thread_id):
    thread = _thread(group, thread_id)
    require(permissions.can_moderate(current_user, group))
    targets = [g for g in _chaired_groups() if g.id != group.id]
    form = MoveForm()
    form.group.choices = [SelectChoice(g.slug, g.name) for g in targets]
    if form.validate_on_submit():
        target = next(g for g in targets if g.slug == form.group.data)
        services.move_thread(current_user, thread, target)
        db.session.commit()
        flash(_("Thread moved to %(group)s.", group=target.name), "success")
        return redirect(url_for(".show", slug=target.slug, thread_id=thread.id))
    status = 400 if form.errors else 200
    return render_template(
        "threads/move.html", group=group, thread=thread, form=form, targets=targets
    ), status


def _chaired_groups() -> list[Group]:
    """Live groups the user may move a thread into, in one query."""
    query = select(Group).where(Group.is_archived.is_(False)).order_by(Group.name)
    if not is_secretariat(current_user):
        chaired = select(Membership.group_id).where(
            Membership.user_id == current_user.id,
            Membership.role == Role.CHAIR.key,
            Membership.status == "active",
        )
        query = query.where(Group.id.in_(chaired))
    return list(db.session.scalars(query))


@bp.post("/<slug>/threads/<int:thread_id>/subscription")
@group_view()
def subscription(group, thread_id):
    thread = _thread(group, thread_id)
    form = SubscriptionForm()
    form.level.choices = LEVELS
    if not form.validate_on_submit():
        abort(400)
    services.set_subscription(current_user, thread, form.level.data)
    db.session.commit()
    flash(_("Your notification setting for this thread is saved."), "success")
    return redirect(url_for(".show", slug=group.slug, thread_id=thread.id))


def _post_url(post) -> str:
    return url_for(
        ".show",
        slug=post.thread.group.slug,
        thread_id=post.thread_id,
        page=services.page_of(post.number),
        _anchor=f"post-{post.id}",
    )
