// POST /v1/apply: a multi-document file of applications, deployments and sites. Every document
// is validated before anything is written, and everything is written in one transaction: a file
// is applied whole or not at all.
#include <spdlog/spdlog.h>

#include "tower/keys.hpp"
#include "tower/router.hpp"
#include "tower/spec_writes.hpp"

namespace outpost::tower {

namespace {

Error in_document(std::size_t index, Error e) { return at("documents[" + std::to_string(index) + "]", std::move(e)); }

// A site in an apply file declares its labels and vars; it is created or replaced.
Result<PlannedWrite> plan_site(TowerContext& context, const Site& site) {
  PlannedWrite write{{}, {{"kind", "site"}, {"name", site.name}}};
  auto existing = context.repo.site(site.name);
  if (!existing) return std::unexpected(existing.error());
  Json canonical = site.to_json();
  if (*existing && (*existing)->value.to_json() == canonical) {
    write.result["action"] = "unchanged";
    return write;
  }
  write.ops.push_back({TxnOp::Kind::put, keys::site(site.name), canonical.dump(),
                       *existing ? std::optional<std::int64_t>((*existing)->revision) : std::optional<std::int64_t>(0)});
  write.result["action"] = *existing ? "configured" : "created";
  return write;
}

}  // namespace

ApiResponse handle_apply(TowerContext& context, const ApiRequest& request) {
  if (request.segments.size() != 2) return error_response(Error{404, "not_found", "no such route: " + request.path, {}});
  if (request.method != "POST") return method_not_allowed(request);
  auto documents = parse_documents(request.body);
  if (!documents) return error_response(documents.error());
  if (documents->empty()) return error_response(Error{400, "bad_request", "the file holds no documents", {}});

  // Parse every document first: the batch is needed to validate cross references.
  Batch batch;
  std::vector<std::pair<std::string, std::size_t>> order;  // kind, index into the batch
  std::vector<Site> sites;
  for (std::size_t i = 0; i < documents->size(); ++i) {
    const Json& doc = (*documents)[i];
    if (!doc.is_object())
      return error_response(in_document(i, Error{422, "invalid", "a document must be an object, got " + json_type_name(doc), {}}));
    auto kind_it = doc.find("kind");
    if (kind_it == doc.end() || !kind_it->is_string())
      return error_response(in_document(i, Error{422, "invalid", "missing 'kind' (application, deployment or site)", "kind"}));
    const std::string kind = kind_it->get<std::string>();
    if (kind == "application") {
      auto app = Application::from_json(doc);
      if (!app) return error_response(in_document(i, app.error()));
      batch.applications.push_back(std::move(*app));
      order.emplace_back(kind, batch.applications.size() - 1);
    } else if (kind == "deployment") {
      auto deployment = Deployment::from_json(doc);
      if (!deployment) return error_response(in_document(i, deployment.error()));
      batch.deployments.push_back(std::move(*deployment));
      order.emplace_back(kind, batch.deployments.size() - 1);
    } else if (kind == "site") {
      auto site = Site::from_json(doc);
      if (!site) return error_response(in_document(i, site.error()));
      sites.push_back(std::move(*site));
      order.emplace_back(kind, sites.size() - 1);
    } else {
      return error_response(in_document(i, Error{422, "invalid", "unknown kind '" + kind + "' (application, deployment or site)", "kind"}));
    }
  }

  std::vector<TxnOp> ops;
  Json results = Json::array();
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto& [kind, index] = order[i];
    Result<PlannedWrite> write = kind == "application" ? plan_application(context, batch.applications[index])
                                 : kind == "deployment"
                                     ? plan_deployment(context, batch.deployments[index], batch, DeploymentWriteMode::upsert, std::nullopt)
                                     : plan_site(context, sites[index]);
    if (!write) return error_response(in_document(i, write.error()));
    for (auto& op : write->ops) {
      for (const auto& earlier : ops)
        if (earlier.key == op.key)
          return error_response(in_document(i, Error{409, "conflict", "the file declares " + kind + " " + write->result["name"].get<std::string>() + " twice", "name"}));
      ops.push_back(std::move(op));
    }
    results.push_back(write->result);
  }
  if (!ops.empty()) {
    if (auto done = context.store.commit(ops); !done) return error_response(done.error());
    spdlog::info("applied {} documents ({} writes)", order.size(), ops.size());
  }
  return json_response(200, Json{{"results", results}});
}

}  // namespace outpost::tower
