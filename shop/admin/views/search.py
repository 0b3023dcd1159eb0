"""Search synonyms: the groups of words staff want found together."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...search.services import save_synonyms, synonym_lines
from ..forms import SynonymsForm
from .common import actor_id, bp


@bp.route("/search-synonyms", methods=["GET", "POST"])
def search_synonyms():
    form = SynonymsForm(groups="\n".join(synonym_lines()))
    if form.validate_on_submit():
        count = save_synonyms(form.groups.data.splitlines(), actor_id=actor_id())
        flash(_("Saved %(count)d synonym groups. Searches use them from now on.", count=count), "success")
        return redirect(url_for("admin.search_synonyms"), 303)
    return render_template("admin/search_synonyms.html", form=form), 400 if form.errors else 200
