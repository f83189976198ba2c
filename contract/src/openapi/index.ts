export { API_VERSION, contractRoutes, generateOpenApi, openApiPath } from './generate.ts';
