// Healthy when the REST API answers an authenticated route listing, which
// proves both that CHP runs and that the token the hub will use is valid.
const fs = require("fs");
const http = require("http");
const token = process.env.CONFIGPROXY_AUTH_TOKEN || fs.readFileSync("/srv/secrets/proxy-token", "utf8").trim();
http
  .get("http://proxy-api:8001/api/routes", { headers: { Authorization: "token " + token }, timeout: 3000 }, (res) =>
    process.exit(res.statusCode === 200 ? 0 : 1)
  )
  .on("error", () => process.exit(1));
