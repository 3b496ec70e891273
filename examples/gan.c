/* gan.c - a GAN in C with the Keras recipe: a generator and a discriminator (MLPs), the
 * discriminator compiled and then frozen, and a chain of the two (nn_chain) compiled after, so
 * the chain's steps train the generator only while the discriminator learns through its own.
 * The real data is the ring of 8 Gaussians of the PacGAN paper's synthetic experiments (radius 1,
 * std 0.01); the result is scored as there: a sample is high quality within 3 std of its nearest
 * mode, and a mode is covered when a high-quality sample is nearest to it.
 *
 * Run:  build/gan [--steps N] [--seed N]
 * The last line is JSON for scripts, e.g. {"example":"gan","steps":3000,"modes":8,"covered":...}
 */
#include "nn.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 256
#define NOISE 2
#define SCORED 2500
#define STD 0.01f

static nn_model *mlp(int in, int out, int out_act, uint32_t seed)
{
    int shape[1] = {in};
    nn_model *m = nn_model_create(1, shape, seed);
    nn_model_add(m, nn_dense(128, NN_ACT_RELU));
    nn_model_add(m, nn_dense(128, NN_ACT_RELU));
    nn_model_add(m, nn_dense(out, out_act));
    return m;
}

/* n points of the ring: a mode drawn uniformly, plus Gaussian noise (seeded) */
static void ring(float *xy, int n, uint32_t seed)
{
    float *u = malloc(sizeof(float) * 3 * (size_t)n);
    nn_random_fill(u, (size_t)n, 0, 0.0f, 8.0f, seed);
    nn_random_fill(u + n, 2 * (size_t)n, 1, 0.0f, STD, seed + 1);
    for (int i = 0; i < n; i++) {
        double a = 2 * M_PI * floor(u[i]) / 8;
        xy[2 * i] = (float)cos(a) + u[n + 2 * i];
        xy[2 * i + 1] = (float)sin(a) + u[n + 2 * i + 1];
    }
    free(u);
}

int main(int argc, char **argv)
{
    int steps = 3000;
    uint32_t seed = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--steps")) steps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed")) seed = (uint32_t)atoi(argv[i + 1]);
        else { fprintf(stderr, "gan: unknown option %s\n", argv[i]); return 1; }
    }
    if (steps < 1 || steps > 1000000 || argc % 2 == 0) {
        fprintf(stderr, "usage: gan [--steps 1..1000000] [--seed N]\n");
        return 1;
    }
    nn_model *g = mlp(NOISE, 2, NN_ACT_LINEAR, seed), *d = mlp(2, 1, NN_ACT_SIGMOID, seed + 1);
    nn_optimizer adam = nn_adam(1e-3f);
    adam.beta1 = 0.5f;
    char err[NN_ERR_LEN] = "";
    nn_chain *gan = NULL;
    int rc = 1;
    if (nn_model_compile(d, &adam, NN_LOSS_BCE) != NN_OK) { fprintf(stderr, "gan: %s\n", nn_model_error(d)); goto done; }
    nn_model_set_trainable(d, -1, 0); /* frozen for what is compiled from now on: the chain */
    nn_model *parts[2] = {g, d};
    if (!(gan = nn_chain_create(parts, 2, err)) || nn_chain_compile(gan, &adam, NN_LOSS_BCE) != NN_OK) {
        fprintf(stderr, "gan: %s\n", gan ? nn_chain_error(gan) : err);
        goto done;
    }
    static float z[BATCH * NOISE], real[BATCH * 2], fake[BATCH * 2], ones[BATCH], zeros[BATCH];
    for (int i = 0; i < BATCH; i++) ones[i] = 1.0f;
    float ld = 0, lg = 0, l;
    for (int s = 1; s <= steps; s++) {
        ring(real, BATCH, 3u * (uint32_t)s + 100000u * seed);
        nn_random_fill(z, BATCH * NOISE, 1, 0.0f, 1.0f, 7u * (uint32_t)s + 200000u * seed);
        nn_model_predict(g, z, BATCH, fake);
        nn_model_train_batch(d, real, ones, BATCH, &ld);
        nn_model_train_batch(d, fake, zeros, BATCH, &l);
        ld = (ld + l) / 2;
        if (nn_chain_train_batch(gan, z, NN_DTYPE_FLOAT32, ones, BATCH, &lg, NULL) != NN_OK) {
            fprintf(stderr, "gan: %s\n", nn_chain_error(gan));
            goto done;
        }
        if (s % (steps / 10 ? steps / 10 : 1) == 0) printf("step %d: D loss %.4f, G loss %.4f\n", s, ld, lg);
    }
    /* score SCORED samples from fresh noise */
    static float zs[SCORED * NOISE], out[SCORED * 2];
    nn_random_fill(zs, SCORED * NOISE, 1, 0.0f, 1.0f, 12345u);
    nn_model_predict(g, zs, SCORED, out);
    int per_mode[8] = {0}, good = 0;
    for (int i = 0; i < SCORED; i++) {
        int best = 0;
        double bd = 1e30;
        for (int k = 0; k < 8; k++) {
            double a = 2 * M_PI * k / 8, dx = out[2 * i] - cos(a), dy = out[2 * i + 1] - sin(a);
            if (dx * dx + dy * dy < bd) { bd = dx * dx + dy * dy; best = k; }
        }
        if (bd <= 9.0 * STD * STD) { good++; per_mode[best]++; }
    }
    int covered = 0;
    for (int k = 0; k < 8; k++) covered += per_mode[k] > 0;
    printf("modes covered %d of 8, high-quality samples %.1f%%\n", covered, 100.0 * good / SCORED);
    printf("{\"example\":\"gan\",\"steps\":%d,\"modes\":8,\"covered\":%d,\"high_quality\":%.4f,\"d_loss\":%.4f,"
           "\"g_loss\":%.4f}\n", steps, covered, (double)good / SCORED, ld, lg);
    rc = 0;
done:
    nn_chain_free(gan); /* before the models it points to */
    nn_model_free(g);
    nn_model_free(d);
    return rc;
}
