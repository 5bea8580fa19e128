from flask_smorest import Blueprint

blp = Blueprint("sites_api", __name__, url_prefix="/api/v1", description="Organisations and sites")
