"""The library pages: browse, upload, versions, downloads, folders, trash."""

import io

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from collab.auth.forms import ConfirmForm
from collab.core import storage
from collab.core.errors import DomainError
from collab.core.pagination import paginate
from collab.core.permissions import Role, group_view, require
from collab.documents import filetypes, permissions, services
from collab.documents.forms import (
    DocumentForm,
    FolderForm,
    RenameFolderForm,
    UploadForm,
    VersionForm,
)
from collab.extensions import db

bp = Blueprint("documents", __name__, url_prefix="/groups")


def _folder_choices(group, exclude=None, root_label=None, tree=None):
    choices = [SelectChoice("", root_label or _("Top level"))]
    for folder, depth in tree if tree is not None else services.folder_tree(group):
        if exclude is not None and folder.id == exclude:
            continue
        choices.append(SelectChoice(str(folder.id), "— " * depth + folder.name))
    return choices


def _folder_arg(group, value):
    if not value:
        return None
    try:
        return services.get_folder(group, int(value)) or abort(404)
    except ValueError:
        abort(404)


def _document(group, document_id):
    return services.get_document(group, document_id) or abort(404)


@bp.get("/<slug>/documents/")
@group_view()
def index(group):
    folder = _folder_arg(group, request.args.get("folder"))
    filters = {key: request.args.get(key, "")[:60] for key in ("tag", "type", "sort")}
    everywhere = bool(filters["tag"] or filters["type"] or request.args.get("all"))
    query = services.library(
        group,
        folder=folder,
        all_folders=everywhere,
        tag=filters["tag"],
        kind=filters["type"],
        sort=filters["sort"] or "updated",
    )
    page = paginate(query, per_page=50)
    since = services.last_visit(current_user, group)
    services.record_visit(current_user, group, since)
    tree = services.folder_tree(group)
    upload_form = UploadForm(formdata=None, folder=str(folder.id) if folder else "")
    upload_form.folder.choices = _folder_choices(group, tree=tree)
    folder_form = FolderForm(formdata=None, parent=str(folder.id) if folder else "")
    folder_form.parent.choices = _folder_choices(group, tree=tree)
    return render_template(
        "documents/index.html",
        group=group,
        page=page,
        folder=folder,
        filters=filters,
        tree=tree,
        tags=services.tags_of(group),
        since=since,
        versions=services.latest_versions(page.items),
        kinds=sorted(filetypes.KINDS),
        upload_form=upload_form,
        folder_form=folder_form,
        everywhere=everywhere,
        rename_form=_rename_form(group, folder),
        confirm=ConfirmForm(),
    )


def _rename_form(group, folder):
    if folder is None:
        return None
    form = RenameFolderForm(
        formdata=None, name=folder.name, parent=str(folder.parent_id or "")
    )
    form.parent.choices = _folder_choices(group, exclude=folder.id)
    return form


@bp.post("/<slug>/documents/upload")
@group_view(min_role=Role.MEMBER)
def upload(group):
    require(permissions.can_upload(current_user, group))
    form = UploadForm()
    form.folder.choices = _folder_choices(group)
    folder = _folder_arg(group, form.folder.data)
    files = [
        (f.filename or "", f.read())
        for f in (form.files.data or [])
        if f and f.filename
    ]
    if form.validate_on_submit():
        try:
            documents = services.upload(
                current_user, group, files, folder=folder, tags=form.tags.data or ""
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("%(n)d document(s) uploaded.", n=len(documents)), "success")
    else:
        abort(400)
    return redirect(
        url_for(".index", slug=group.slug, folder=folder.id if folder else None)
    )


@bp.post("/<slug>/documents/folders")
@group_view(min_role=Role.MEMBER)
def create_folder(group):
    require(permissions.can_manage_folders(current_user, group))
    form = FolderForm()
    form.parent.choices = _folder_choices(group)
    parent = _folder_arg(group, form.parent.data)
    if form.validate_on_submit():
        try:
            folder = services.create_folder(current_user, group, form.name.data, parent)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            return redirect(url_for(".index", slug=group.slug, folder=folder.id))
    else:
        flash(_("Give the folder a name."), "error")
    return redirect(
        url_for(".index", slug=group.slug, folder=parent.id if parent else None)
    )


@bp.post("/<slug>/documents/folders/<int:folder_id>")
@group_view(min_role=Role.MEMBER)
def edit_folder(group, folder_id):
    require(permissions.can_manage_folders(current_user, group))
    folder = services.get_folder(group, folder_id) or abort(404)
    parent = _folder_arg(group, request.form.get("parent"))  # another group's: 404
    form = RenameFolderForm()
    # Every folder is a valid answer here; the service explains why one cannot be used.
    form.parent.choices = _folder_choices(group)
    if not form.validate_on_submit():
        flash(_("Give the folder a name."), "error")
        return redirect(url_for(".index", slug=group.slug, folder=folder.id))
    try:
        services.rename_folder(current_user, folder, form.name.data)
        services.move_folder(current_user, folder, parent)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Folder saved."), "success")
    return redirect(url_for(".index", slug=group.slug, folder=folder_id))


@bp.post("/<slug>/documents/folders/<int:folder_id>/delete")
@group_view(min_role=Role.MEMBER)
def delete_folder(group, folder_id):
    require(permissions.can_manage_folders(current_user, group))
    folder = services.get_folder(group, folder_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    parent = folder.parent_id
    try:
        services.delete_folder(current_user, folder)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".index", slug=group.slug, folder=folder_id))
    db.session.commit()
    flash(_("Folder deleted."), "success")
    return redirect(url_for(".index", slug=group.slug, folder=parent))


@bp.get("/<slug>/documents/<int:document_id>")
@group_view()
def show(group, document_id):
    document = _document(group, document_id)
    if document.deleted_at is not None and not permissions.can_restore_document(
        current_user, document
    ):
        abort(404)
    form = DocumentForm(
        formdata=None,
        title=document.title,
        description=document.description,
        tags=", ".join(t.tag for t in document.tags),
        folder=str(document.folder_id or ""),
    )
    form.folder.choices = _folder_choices(group)
    return render_template(
        "documents/show.html",
        group=group,
        document=document,
        versions=services.versions_of(document),
        version_form=VersionForm(formdata=None),
        form=form,
        confirm=ConfirmForm(),
        folder=services.get_folder(group, document.folder_id),
    )


@bp.post("/<slug>/documents/<int:document_id>/versions")
@group_view(min_role=Role.MEMBER)
def add_version(group, document_id):
    document = _document(group, document_id)
    require(permissions.can_edit_document(current_user, document))
    form = VersionForm()
    if form.validate_on_submit():
        try:
            version = services.add_version(
                current_user,
                document,
                form.file.data.filename or "",
                form.file.data.read(),
                form.note.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Version %(n)d uploaded.", n=version.number), "success")
    else:
        flash(_("Choose a file."), "error")
    return redirect(url_for(".show", slug=group.slug, document_id=document_id))


@bp.post("/<slug>/documents/<int:document_id>/edit")
@group_view(min_role=Role.MEMBER)
def edit(group, document_id):
    document = _document(group, document_id)
    require(permissions.can_edit_document(current_user, document))
    folder = _folder_arg(group, request.form.get("folder"))  # another group's: 404
    form = DocumentForm()
    form.folder.choices = _folder_choices(group)
    if form.validate_on_submit():
        services.update_document(
            current_user,
            document,
            title=form.title.data,
            description=form.description.data or "",
            tags=form.tags.data or "",
            folder=folder,
        )
        db.session.commit()
        flash(_("Document saved."), "success")
    else:
        flash(_("Give the document a title."), "error")
    return redirect(url_for(".show", slug=group.slug, document_id=document_id))


@bp.post("/<slug>/documents/<int:document_id>/<any(delete, restore):action>")
@group_view(min_role=Role.MEMBER)
def trash_or_restore(group, document_id, action):
    document = _document(group, document_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if action == "delete":
        require(permissions.can_delete_document(current_user, document))
        services.trash(current_user, document)
        message = _("“%(title)s” is in the trash for 30 days.", title=document.title)
    else:
        require(permissions.can_restore_document(current_user, document))
        services.restore(current_user, document)
        message = _("“%(title)s” is restored.", title=document.title)
    db.session.commit()
    flash(message, "success")
    if action == "delete":
        return redirect(url_for(".index", slug=group.slug))
    return redirect(url_for(".show", slug=group.slug, document_id=document_id))


@bp.get("/<slug>/documents/trash")
@group_view(min_role=Role.MEMBER)
def trash(group):
    require(permissions.can_upload(current_user, group))
    page = paginate(services.library(group, trash=True), per_page=50)
    return render_template(
        "documents/trash.html", group=group, page=page, confirm=ConfirmForm()
    )


@bp.get("/<slug>/documents/<int:document_id>/download")
@bp.get("/<slug>/documents/<int:document_id>/versions/<int:number>/download")
@group_view()
def download(group, document_id, number=None):
    return _send(group, document_id, number, inline=False)


@bp.get("/<slug>/documents/<int:document_id>/versions/<int:number>/preview")
@group_view()
def preview(group, document_id, number):
    return _send(group, document_id, number, inline=True)


def _send(group, document_id, number, inline):
    document = _document(group, document_id)
    if document.deleted_at is not None:
        abort(404)
    version = services.get_version(document, number) or abort(404)
    kind = filetypes.KINDS[version.kind]
    if inline and not kind.inline:
        abort(404)
    try:
        data = storage.storage().read(version.storage_key)
    except (OSError, ValueError):
        abort(404)
    response = send_file(
        io.BytesIO(data),
        mimetype=kind.content_type.split(";")[0],
        as_attachment=not inline,
        download_name=version.filename,
        max_age=0,
    )
    # The file is never a page of ours: no scripts, no plugins, no same-origin access.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
